package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.pg.PgProxyLimits;
import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import dev.ephemera.legacy.proxy.pg.PgUpstream;
import dev.ephemera.server.domain.tls.SelfSignedIdentity;
import dev.ephemera.server.support.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL proxy's own leg to a database that speaks TLS, as a remote one does: the upstream's
 * certificate is verified (chain and host name) before the escrowed password's SCRAM proof is sent.
 */
class PgProxyUpstreamTlsTest {
    private static final String ROLE = "tls_app";
    private static final String ESCROWED = SecretGenerator.token("esc_");
    private static final String TOKEN = SecretGenerator.token("lt_");

    static TestPostgres postgres;
    static SelfSignedIdentity clientLeg;
    static SelfSignedIdentity databaseIdentity;
    static final List<String> refusals = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // A server of its own: it turns TLS on for the whole server, which no other class expects.
        postgres = TestPostgres.start();
        postgres.createLoginRole(ROLE, ESCROWED);
        clientLeg = SelfSignedIdentity.issue("localhost", Duration.ofDays(1));
        // The database's certificate names db.test and 127.0.0.1, not localhost.
        databaseIdentity = SelfSignedIdentity.issue("db.test", Duration.ofDays(1));
        Path dir = Files.createTempDirectory("ephemera-pg-tls-");
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        databaseIdentity.writePem(certificate, key);
        postgres.execute("ALTER SYSTEM SET ssl_cert_file = '" + certificate + "'");
        postgres.execute("ALTER SYSTEM SET ssl_key_file = '" + key + "'");
        postgres.execute("ALTER SYSTEM SET ssl = on");
        postgres.execute("SELECT pg_reload_conf()");
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.execute("ALTER SYSTEM RESET ssl");
        postgres.execute("SELECT pg_reload_conf()");
        postgres.close();
    }

    @BeforeEach
    void forgetRefusals() {
        refusals.clear();
    }

    @Test
    void theSessionRunsOverAVerifiedTlsConnectionToTheDatabase() throws Exception {
        try (PgProxyServer proxy = proxy("127.0.0.1", databaseIdentity.clientContext());
             Connection connection = connect(proxy); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo(ROLE);
            assertThat(rows.getBoolean(2)).as("the proxy's own connection to the database is encrypted").isTrue();
        }
    }

    @Test
    void aDatabaseCertificateTheProxyDoesNotTrustEndsTheLoginBeforeAnyPasswordIsSent() throws Exception {
        try (PgProxyServer proxy = proxy("127.0.0.1", clientLeg.clientContext())) {
            SQLException refused = refusedLogin(proxy);

            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(refused.getMessage()).contains("upstream unavailable").doesNotContain(ESCROWED).doesNotContain(TOKEN);
            assertThat(refusals).anyMatch(reason -> reason.startsWith("upstream TLS:"));
        }
    }

    @Test
    void aDatabaseCertificateForAnotherHostNameIsRefused() throws Exception {
        try (PgProxyServer proxy = proxy("localhost", databaseIdentity.clientContext())) {
            SQLException refused = refusedLogin(proxy);

            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(refusals).anyMatch(reason -> reason.startsWith("upstream TLS:"));
        }
    }

    private static PgProxyServer proxy(String databaseHost, SSLContext upstreamTrust) throws Exception {
        ProxyLease lease = new ProxyLease("acme", "task-tls", "agent-tls", "lease-tls", "pg/tls");
        PgProxyServer proxy = new PgProxyServer(clientLeg.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (user, database, token, client) -> {
                    if (!token.equals(TOKEN)) {
                        throw new ProxyRefusedException("no live lease for this token");
                    }
                    return new PgUpstream(databaseHost, postgres.port(), "postgres", ROLE, ESCROWED, lease, true);
                }, ProxyAudit.refusalsTo(refusals::add), upstreamTrust, PgProxyLimits.DEFAULTS);
        proxy.start();
        return proxy;
    }

    private static Connection connect(PgProxyServer proxy) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/orders?sslmode=require&connectTimeout=10",
                "agent-tls", TOKEN);
    }

    private static SQLException refusedLogin(PgProxyServer proxy) {
        try (Connection ignored = connect(proxy)) {
            throw new AssertionError("the login went through");
        } catch (SQLException e) {
            return e;
        }
    }
}
