package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import dev.ephemera.legacy.proxy.pg.PgProxyAuthenticator;
import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import dev.ephemera.legacy.proxy.pg.PgUpstream;
import dev.ephemera.server.domain.tls.SelfSignedIdentity;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TcpProxy;
import dev.ephemera.server.support.TestPostgres;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL proxy in front of a real PostgreSQL whose TCP logins require SCRAM-SHA-256 (a wrong
 * escrowed password really fails), reached through a counting TCP relay to see what reaches it, with
 * leases by token, the JDBC driver as the agent, and no secret in any log line.
 */
abstract class PgProxyFixture {
    static final String ROLE = "proxy_app";
    static final String ESCROWED = SecretGenerator.token("esc_");
    static final String WRONG_ESCROWED = SecretGenerator.token("esc_");
    static final String TOKEN_A = SecretGenerator.token("lt_");
    static final String TOKEN_B = SecretGenerator.token("lt_");
    static final String TOKEN_WRONG_PASSWORD = SecretGenerator.token("lt_");
    static final String ROTATED_ROLE = "proxy_rotated";
    static final String TOKEN_ROTATED = SecretGenerator.token("lt_");
    static final String ROTATED_AWAY = SecretGenerator.token("esc_");
    static final String TOKEN_RACED = SecretGenerator.token("lt_");
    /** Set by the authenticator once it has let TOKEN_RACED in: the lease is revoked from then on. */
    static final AtomicBoolean racedLeaseRevoked = new AtomicBoolean();
    static final List<String> SECRETS = List.of(ESCROWED, WRONG_ESCROWED, TOKEN_A, TOKEN_B, TOKEN_WRONG_PASSWORD, TOKEN_ROTATED, TOKEN_RACED,
            ROTATED_AWAY);

    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;
    static TcpProxy upstream;
    static PgProxyServer proxy;
    static SelfSignedIdentity tls;
    static final RecordingAudit audit = new RecordingAudit();
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        postgres.createLoginRole(ROLE, ESCROWED);
        postgres.createLoginRole(ROTATED_ROLE, ESCROWED);
        upstream = new TcpProxy(postgres.port());
        tls = SelfSignedIdentity.issue("localhost", Duration.ofDays(1));
        Logger proxyLogs = (Logger) LoggerFactory.getLogger("dev.ephemera.legacy.proxy");
        proxyLogs.setLevel(Level.DEBUG);
        logs.start();
        proxyLogs.addAppender(logs);
        proxy = new PgProxyServer(tls.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), leases(), audit);
        proxy.start();
    }

    static PgProxyAuthenticator leases() {
        Map<String, PgUpstream> leases = Map.of(
                TOKEN_A, target(ESCROWED, "lease-a"),
                TOKEN_B, target(ESCROWED, "lease-b"),
                TOKEN_WRONG_PASSWORD, target(WRONG_ESCROWED, "lease-c"),
                TOKEN_ROTATED, target(ROTATED_ROLE, ESCROWED, "lease-d"));
        return (user, database, token, client) -> {
            if (token.equals(TOKEN_RACED)) {
                return revokedRightAfterThisCheck();
            }
            PgUpstream granted = leases.get(token);
            if (granted == null) {
                throw new ProxyRefusedException("no live lease for this token");
            }
            return granted;
        };
    }

    /**
     * The token checks out, and the lease is revoked the moment the check returns, before the
     * session is registered under it: the revocation's close finds no session to close.
     */
    static PgUpstream revokedRightAfterThisCheck() throws ProxyRefusedException {
        if (racedLeaseRevoked.getAndSet(true)) {
            throw new ProxyRefusedException("no live lease for this token");
        }
        try {
            assertThat(proxy.closeLease("lease-raced")).isZero();
        } catch (RevocationIncompleteException e) {
            throw new AssertionError(e);
        }
        return target(ESCROWED, "lease-raced");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
        ((Logger) LoggerFactory.getLogger("dev.ephemera.legacy.proxy")).detachAppender(logs);
    }

    @AfterEach
    void noSecretInTheLogs() {
        List<ILoggingEvent> events;
        synchronized (logs) { // AppenderBase appends under the appender's lock, from the proxy's threads
            events = List.copyOf(logs.list);
        }
        for (ILoggingEvent event : events) {
            String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
            SECRETS.forEach(secret -> assertThat(line).doesNotContain(secret));
        }
    }

    static PgUpstream target(String password, String leaseId) {
        return target(ROLE, password, leaseId);
    }

    static PgUpstream target(String role, String password, String leaseId) {
        ProxyLease lease = new ProxyLease("acme", "task-" + leaseId, "agent-7", leaseId, "pg/app");
        return new PgUpstream("127.0.0.1", upstream.port(), "postgres", role, password, lease);
    }

    static Connection connect(String token, String sslMode) throws SQLException {
        return connect(proxy.port(), token, sslMode);
    }

    static Connection connect(int port, String token, String sslMode) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/orders?sslmode=" + sslMode
                + "&ApplicationName=pg-proxy-test&connectTimeout=10", "agent-7", token);
    }

    static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Opens TLS the way libpq does (SSLRequest, then the handshake), trusting the proxy's certificate. */
    static SSLSocket tlsClient() throws Exception {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        raw.setSoTimeout(5_000);
        DataOutputStream out = new DataOutputStream(raw.getOutputStream());
        out.writeInt(8);
        out.writeInt(80877103);
        assertThat(raw.getInputStream().read()).isEqualTo('S');
        SSLSocket secured = (SSLSocket) tls.clientContext().getSocketFactory().createSocket(raw, "localhost", proxy.port(), true);
        secured.startHandshake();
        return secured;
    }

    /** A TLS client that starts its handshake at once, as PostgreSQL 17's sslnegotiation=direct does. */
    static SSLSocket directTlsClient() throws Exception {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        raw.setSoTimeout(5_000);
        return (SSLSocket) tls.clientContext().getSocketFactory().createSocket(raw, "localhost", proxy.port(), true);
    }

    /** Reads an ErrorResponse and returns its SQLSTATE; the proxy must then close the connection. */
    static String errorCode(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        assertThat(in.readByte()).isEqualTo((byte) 'E');
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        assertThat(in.read()).as("the connection closes after the refusal").isEqualTo(-1);
        String fields = new String(body, StandardCharsets.UTF_8);
        int code = fields.indexOf("\0C");
        return fields.substring(code + 2, fields.indexOf('\0', code + 2));
    }

    static void assertNoSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + t;
            SECRETS.forEach(secret -> assertThat(text).doesNotContain(secret));
        }
    }

    static SQLException catchSql(Callable<?> action) {
        try {
            action.call();
        } catch (SQLException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected an SQLException", e);
        }
        throw new AssertionError("expected an SQLException");
    }

    record Opened(String id, ProxyLease lease) {
    }

    record Closed(String id, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason) {
    }

    static final class RecordingAudit implements ProxyAudit {
        final List<Opened> opened = new CopyOnWriteArrayList<>();
        final List<Closed> closed = new CopyOnWriteArrayList<>();
        private final List<String> refused = new CopyOnWriteArrayList<>();

        @Override
        public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
            assertThat(protocol).isEqualTo("postgresql");
            opened.add(new Opened(connectionId, lease));
        }

        @Override
        public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason) {
            closed.add(new Closed(connectionId, lease, bytesFromClient, bytesToClient, reason));
        }

        @Override
        public void refused(String protocol, String client, String reason) {
            refused.add(reason);
        }

        List<String> refusals() {
            SECRETS.forEach(secret -> assertThat(refused).noneMatch(reason -> reason.contains(secret)));
            return refused;
        }
    }
}
