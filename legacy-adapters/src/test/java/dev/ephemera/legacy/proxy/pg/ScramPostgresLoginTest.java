package dev.ephemera.legacy.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.legacy.postgres.PostgresQuoting;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.postgres.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real PostgreSQL stores the SCRAM verifier of a password set with {@code ALTER ROLE}, running
 * its own SASLprep over it, and the proxy's login must compute the same: each password below is one
 * that a client preparing it differently (NFKC only, RFC 4013 checks on the output, a query's
 * leniency on unassigned code points, no fallback) would fail to log in with.
 */
class ScramPostgresLoginTest {
    private static final ProxyLease LEASE = new ProxyLease("tenant", "task", "agent", "lease", "route");
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = PasswordPostgres.start("scram");
        try (Connection c = admin(); ResultSet rows = c.createStatement().executeQuery("SHOW server_encoding")) {
            rows.next();
            assertThat(rows.getString(1)).as("PostgreSQL runs SASLprep on UTF-8 passwords only").isEqualTo("UTF8");
        }
        // The reload is asynchronous: wait until a wrong password is refused.
        setPassword("scram_probe", "right");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (login("scram_probe", "wrong") instanceof UpstreamLogin.LoggedIn) {
            assertThat(Instant.now()).as("pg_hba.conf reloaded").isBefore(deadline);
            Thread.onSpinWait();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    static Stream<Arguments> passwords() {
        return Stream.of(
                // C.1.2 spaces become SPACE; U+200B is not touched by NFKC
                Arguments.of("scram_space", "correct\u00A0horse\u2003battery\u200Bstaple"),
                // B.1: the soft hyphen is dropped; NFKC keeps it
                Arguments.of("scram_hyphen", "soft\u00ADhyphen-\u00DCn\u00EFcode"),
                // C.2.1 prohibited: PostgreSQL hashes the raw bytes, soft hyphen included
                Arguments.of("scram_prohibited", "soft\u00ADhyphen\u0007bell\u00E9"),
                // A.1 (U+1F511 is unassigned in Unicode 3.2): PostgreSQL treats it as stored, so raw bytes
                Arguments.of("scram_unassigned", "soft\u00ADhyphen\uD83D\uDD11key"),
                // PostgreSQL checks bidi before NFKC: U+2122 (ON) becomes "TM" (L) after it and still passes
                Arguments.of("scram_bidi", "\u05D0\u2122\u05D1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwords")
    void theProxyLogsInWithThePasswordPostgresqlStored(String role, String password) throws Exception {
        setPassword(role, password);
        assertThat(storedVerifier(role)).startsWith("SCRAM-SHA-256$");

        assertThat(login(role, password)).isInstanceOf(UpstreamLogin.LoggedIn.class);
        // The control: SCRAM is enforced, so a login with another password fails.
        assertThat(login(role, password + "x")).isInstanceOf(UpstreamLogin.Failed.class);
    }

    private static UpstreamLogin.Outcome login(String role, String password) {
        UpstreamLogin.Outcome outcome = new UpstreamLogin(null, new SecureRandom())
                .login(new PgUpstream("127.0.0.1", postgres.getPort(), "postgres", role, password, LEASE), Map.of());
        if (outcome instanceof UpstreamLogin.LoggedIn loggedIn) {
            UpstreamLogin.closeQuietly(loggedIn.raw());
        }
        return outcome;
    }

    private static void setPassword(String role, String password) throws SQLException {
        String id = PostgresQuoting.identifier(role);
        execute("DROP ROLE IF EXISTS " + id);
        execute("CREATE ROLE " + id + " LOGIN");
        execute("ALTER ROLE " + id + " PASSWORD " + PostgresQuoting.literal(password));
    }

    private static String storedVerifier(String role) throws SQLException {
        try (Connection c = admin(); PreparedStatement q = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            q.setString(1, role);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection admin() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }
}
