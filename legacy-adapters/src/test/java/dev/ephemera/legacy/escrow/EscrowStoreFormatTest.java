package dev.ephemera.legacy.escrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.storage.Keys;
import dev.ephemera.storage.RocksStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Escrow records are written with ISO-8601 instants now; ones written before, with numeric instants, are still read. */
class EscrowStoreFormatTest {
    private static final Instant NOW = Instant.parse("2026-12-03T18:23:59.5Z");

    @Test
    void aRecordWrittenBeforeWithNumericInstantsIsReadAndRewrittenAsIso(@TempDir Path dir) throws Exception {
        // Exactly what the earlier mapper (JavaTimeModule, timestamps on) stored.
        String old = """
                {"id":"db","tenant":"t","driver":"postgresql","target":{"role":"app"},\
                "current":{"number":1,"value":"v1","createdAt":1796322239.500000000},"previous":null,"pending":null,\
                "status":"IDLE","failedAttempts":0,"lastError":null,"updatedAt":1796322239.500000000,"lastVersion":1}""";
        try (RocksStore rocks = RocksStore.open(dir)) {
            rocks.put(Keys.of("escrow", "t", "db"), old.getBytes(StandardCharsets.UTF_8));
            EscrowStore escrow = new EscrowStore(rocks, InstantSource.fixed(NOW.plusSeconds(60)));

            EscrowedSecret read = escrow.find("t", "db").orElseThrow();
            assertThat(read.current()).isEqualTo(new SecretVersion(1, "v1", NOW));
            assertThat(read.updatedAt()).isEqualTo(NOW);
            assertThat(read.target()).isEqualTo(Map.of("role", "app"));

            escrow.abandon(read, "unreachable", false); // any save rewrites the record
            String rewritten = new String(rocks.get(Keys.of("escrow", "t", "db")).orElseThrow(), StandardCharsets.UTF_8);
            assertThat(rewritten).contains("\"createdAt\":\"2026-12-03T18:23:59.500Z\"")
                    .contains("\"updatedAt\":\"2026-12-03T18:24:59.500Z\"");
        }
    }
}
