package dev.ephemera.legacy.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresQuotingTest {
    @Test
    void anIdentifierIsAlwaysQuotedWithItsQuotesDoubled() {
        assertThat(PostgresQuoting.identifier("plain")).isEqualTo("\"plain\"");
        assertThat(PostgresQuoting.identifier("x\"; DROP TABLE t; --")).isEqualTo("\"x\"\"; DROP TABLE t; --\"");
        assertThat(PostgresQuoting.identifier("\"")).isEqualTo("\"\"\"\"");
        assertThat(PostgresQuoting.identifier("it's \\ {fn now()} ?")).isEqualTo("\"it's \\ {fn now()} ?\"");
        assertThat(PostgresQuoting.identifier("Ünï\uD83D\uDD11")).isEqualTo("\"Ünï\uD83D\uDD11\"");
    }

    @Test
    void aLiteralIsAStandardStringWithItsQuotesDoubledAndBackslashesKept() {
        assertThat(PostgresQuoting.literal("p'w")).isEqualTo("'p''w'");
        assertThat(PostgresQuoting.literal("a\\'b")).isEqualTo("'a\\''b'");
        assertThat(PostgresQuoting.literal("\\")).isEqualTo("'\\'");
        assertThat(PostgresQuoting.literal("")).isEqualTo("''");
        assertThat(PostgresQuoting.literal("$$ \"x\" \n\t Ω\uD83D\uDD11")).isEqualTo("'$$ \"x\" \n\t Ω\uD83D\uDD11'");
    }

    @Test
    void nulIsRefusedInBoth() {
        assertThatThrownBy(() -> PostgresQuoting.identifier("a\u0000b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> PostgresQuoting.literal("a\u0000b")).hasMessageContaining("NUL");
    }

    @Test
    void anUnpairedSurrogateIsRefusedRatherThanSentAsAQuestionMark() {
        assertThatThrownBy(() -> PostgresQuoting.identifier("a\uD83Db")).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> PostgresQuoting.literal("a\uDD11")).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> PostgresQuoting.literal("a\uD83D")).hasMessageContaining("surrogate");
    }

    @Test
    void aNameLongerThan63BytesIsRefusedRatherThanTruncated() {
        assertThat(PostgresQuoting.identifier("a".repeat(63))).hasSize(65);
        assertThatThrownBy(() -> PostgresQuoting.identifier("a".repeat(64))).hasMessageContaining("64 bytes");
        // Bytes, not characters: 31 two-byte letters and one ASCII letter are 63 bytes; one more ASCII letter is 64.
        assertThat(PostgresQuoting.identifier("é".repeat(31) + "a")).isNotNull();
        assertThatThrownBy(() -> PostgresQuoting.identifier("é".repeat(31) + "ab")).hasMessageContaining("64 bytes");
        // A doubled quote is quoting, not name: 63 quote characters are a 63-byte name.
        assertThat(PostgresQuoting.identifier("\"".repeat(63))).hasSize(128);
    }

    @Test
    void anEmptyNameOrAMissingValueIsRefused() {
        assertThatThrownBy(() -> PostgresQuoting.identifier("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresQuoting.identifier(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresQuoting.literal(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noMessageRepeatsTheValue() {
        assertThatThrownBy(() -> PostgresQuoting.literal("s3cret\u0000")).message().doesNotContain("s3cret");
    }
}
