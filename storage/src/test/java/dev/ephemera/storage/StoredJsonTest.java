package dev.ephemera.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredJsonTest {
    record Stamp(String id, Instant at, Instant until, Map<String, String> target) {}

    private static final Instant AT = Instant.parse("2026-12-03T18:23:59.123456789Z");

    @Test
    void instantsAreWrittenAsIsoTextAndReadBack() {
        Stamp stamp = new Stamp("s1", AT, null, Map.of("role", "app"));
        String json = new String(StoredJson.encode(stamp, "stamp"), StandardCharsets.UTF_8);

        assertThat(json).contains("\"at\":\"2026-12-03T18:23:59.123456789Z\"");
        assertThat(StoredJson.decode(json.getBytes(StandardCharsets.UTF_8), Stamp.class, "stamp")).isEqualTo(stamp);
    }

    /** Escrow, check-out and dual-account records were written with numeric instants (seconds.nanos) before. */
    @Test
    void aRecordWrittenWithNumericInstantsIsStillRead() {
        String old = """
                {"id":"s1","at":1796322239.123456789,"until":1796322300,"target":{"role":"app"},"dropped":"field"}""";

        Stamp read = StoredJson.decode(old.getBytes(StandardCharsets.UTF_8), Stamp.class, "stamp");

        assertThat(read).isEqualTo(new Stamp("s1", AT, Instant.parse("2026-12-03T18:25:00Z"), Map.of("role", "app")));
    }

    @Test
    void aCorruptRecordIsAStorageErrorThatNamesTheRecordNotItsContent() {
        assertThatThrownBy(() -> StoredJson.decode("{\"id\":\"s3cret".getBytes(StandardCharsets.UTF_8), Stamp.class, "stamp record"))
                .isInstanceOf(StorageException.class)
                .hasMessage("corrupt stamp record");
    }
}
