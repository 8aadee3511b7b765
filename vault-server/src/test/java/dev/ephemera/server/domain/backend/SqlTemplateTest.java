package dev.ephemera.server.domain.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlTemplateTest {
    @Test
    void placeholdersAreRenderedQuoted() {
        String sql = SqlTemplate.parse("CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{ expiration }}")
                .render(Map.of("name", "eph_r_abc", "password", "p'w", "expiration", "2026-11-22T12:00:00Z"));
        assertThat(sql).isEqualTo("CREATE ROLE \"eph_r_abc\" WITH LOGIN PASSWORD 'p''w' VALID UNTIL '2026-11-22T12:00:00Z'");
    }

    @Test
    void nameLiteralIsTheNameAsAString() {
        assertThat(SqlTemplate.parse("SELECT 1 WHERE usename = {{name_literal}}").render(Map.of("name", "bob")))
                .isEqualTo("SELECT 1 WHERE usename = 'bob'");
    }

    @Test
    void anIdentifierCannotBreakOutOfItsQuotes() {
        assertThat(SqlTemplate.parse("DROP ROLE {{name}}").render(Map.of("name", "x\"; DROP TABLE t; --")))
                .isEqualTo("DROP ROLE \"x\"\"; DROP TABLE t; --\"");
    }

    /**
     * Backslashes are kept as written: the statements run only where standard_conforming_strings
     * is on (PostgresQuoting.requireStandardStrings; the round trip is PostgresQuotingRoundTripTest).
     */
    @Test
    void backslashesAreKeptAndNulAndOverlongNamesAreRefused() {
        assertThat(SqlTemplate.parse("ALTER ROLE {{name}} PASSWORD {{password}}").render(Map.of("name", "r", "password", "a\\'b")))
                .isEqualTo("ALTER ROLE \"r\" PASSWORD 'a\\''b'");
        assertThatThrownBy(() -> SqlTemplate.parse("DROP ROLE {{name}}").render(Map.of("name", "a\u0000b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlTemplate.parse("ALTER ROLE {{name}} PASSWORD {{password}}").render(Map.of("name", "r", "password", "a\u0000b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlTemplate.parse("DROP ROLE {{name}}").render(Map.of("name", "n".repeat(64))))
                .hasMessageContaining("64 bytes");
    }

    @Test
    void unknownAndHandQuotedPlaceholdersAreRefusedAtParse() {
        assertThatThrownBy(() -> SqlTemplate.parse("GRANT {{group}} TO {{name}}")).hasMessageContaining("{{group}}");
        assertThatThrownBy(() -> SqlTemplate.parse("CREATE ROLE \"{{name}}\"")).hasMessageContaining("do not quote");
        assertThatThrownBy(() -> SqlTemplate.parse("ALTER ROLE x PASSWORD '{{password}}'")).hasMessageContaining("do not quote");
        assertThatThrownBy(() -> SqlTemplate.parse("  ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingValueIsAnError() {
        assertThatThrownBy(() -> SqlTemplate.parse("DROP ROLE {{name}}").render(Map.of())).hasMessageContaining("{{name}}");
    }
}
