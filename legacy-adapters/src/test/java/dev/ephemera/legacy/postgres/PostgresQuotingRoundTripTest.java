package dev.ephemera.legacy.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.core.BaseConnection;

/**
 * A real PostgreSQL creates, comments on, re-passwords (through the static-role driver) and drops
 * roles whose names and passwords are built to break out of naive quoting, and each one is exactly
 * the text the vault meant: the catalog holds the name byte for byte and the password logs in.
 */
class PostgresQuotingRoundTripTest {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = PasswordPostgres.start("quoting");
        execute("CREATE ROLE " + PostgresQuoting.identifier("quoting_probe") + " LOGIN PASSWORD " + PostgresQuoting.literal("right"));
        PostgresStaticRoleDriver probe = driver();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (probe.accepts(Map.of("role", "quoting_probe"), "wrong")) { // the reload is asynchronous
            assertThat(Instant.now()).as("pg_hba.conf reloaded").isBefore(deadline);
            Thread.onSpinWait();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    static Stream<String> hostileNames() {
        return Stream.of(
                "x\"; DROP ROLE postgres; --",
                "\"",
                "it's",
                "back\\slash\\",
                "Mixed Case",
                "$$dollar$$ $q$",
                "{fn now()} ? :name",
                "new\nline\ttab",
                "/* open comment",
                "Ünïcødé \uD83D\uDD11 名前",
                "é".repeat(31) + "a"); // 63 bytes, the longest name PostgreSQL keeps
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void aRoleWithAHostileNameIsCreatedAlteredAndDroppedExactly(String name) throws Exception {
        String id = PostgresQuoting.identifier(name);
        String first = "first'pass\\word\"; --";
        String comment = "it's \\x41 a comment $$ " + name;
        execute("CREATE ROLE " + id + " LOGIN PASSWORD " + PostgresQuoting.literal(first));
        execute("COMMENT ON ROLE " + id + " IS " + PostgresQuoting.literal(comment));

        assertThat(roleComment(name)).as("the role exists under exactly this name, with exactly this comment").isEqualTo(comment);
        PostgresStaticRoleDriver driver = driver();
        Map<String, String> target = Map.of("role", name);
        assertThat(driver.accepts(target, first)).isTrue();

        String second = "second\\'' ' \\\\ pass";
        driver.apply(target, second);
        assertThat(driver.accepts(target, second)).isTrue();
        assertThat(driver.accepts(target, first)).isFalse();

        execute("DROP ROLE " + id);
        assertThat(driver.exists(target)).isFalse();
        assertThat(driver.exists(Map.of("role", "postgres"))).as("nothing broke out of the quotes").isTrue();
    }

    @Test
    void aLiteralIsReadAsWrittenEvenOnASessionThatTurnedStandardStringsOff() throws Exception {
        String value = "a\\'b\\\\c\\n";
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("SET standard_conforming_strings = off");
            assertThat(c.unwrap(BaseConnection.class).getStandardConformingStrings()).isFalse();

            PostgresQuoting.requireStandardStrings(c);

            try (ResultSet rows = s.executeQuery("SELECT " + PostgresQuoting.literal(value) + ", current_setting('standard_conforming_strings')")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo(value);
                assertThat(rows.getString(2)).isEqualTo("on");
            }
        }
    }

    @Test
    void postgresqlWouldTruncateTheNameTheQuoterRefuses() throws Exception {
        String name = "b".repeat(64);
        assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(64);
        try (Connection c = admin(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT " + PostgresQuoting.literal(name) + "::name::text")) {
            rows.next();
            assertThat(rows.getString(1)).hasSize(PostgresQuoting.MAX_IDENTIFIER_BYTES);
        }
    }

    private static String roleComment(String name) throws SQLException {
        try (Connection c = admin();
             PreparedStatement q = c.prepareStatement("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, name);
            try (ResultSet rows = q.executeQuery()) {
                assertThat(rows.next()).as("role " + name + " exists").isTrue();
                return rows.getString(1);
            }
        }
    }

    private static PostgresStaticRoleDriver driver() {
        return new PostgresStaticRoleDriver("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "unused");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            PostgresQuoting.requireStandardStrings(c);
            s.execute(sql);
        }
    }

    private static Connection admin() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }
}
