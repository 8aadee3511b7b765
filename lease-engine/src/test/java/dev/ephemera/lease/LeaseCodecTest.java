package dev.ephemera.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseCodecTest {
    private static final Instant T = Instant.parse("2026-11-23T05:00:00.123456789Z");

    @Test
    void everyFieldSurvivesTheRoundTrip() throws IOException {
        Lease lease = new Lease("lease_x", "default", "agent-1", "task_1", "pg", "readonly",
                Map.of("username", "eph_ro_1", "schema", "ünïcode ✓"), LeaseState.IRREVOCABLE,
                T, T.plusSeconds(300), T.plusSeconds(3600), 12, "backend 'pg': connection refused");

        assertThat(LeaseCodec.decode(LeaseCodec.encode(lease))).isEqualTo(lease);
    }

    @Test
    void absentFieldsStayAbsent() throws IOException {
        Lease lease = new Lease("lease_y", null, null, null, "pg", "readonly", Map.of(), LeaseState.ACTIVE,
                T, T, T, 0, null);

        assertThat(LeaseCodec.decode(LeaseCodec.encode(lease))).isEqualTo(lease);
    }

    @Test
    void aVeryLongBackendErrorIsCut() throws IOException {
        Lease lease = new Lease("lease_z", "t", "a", "k", "pg", "r", Map.of(), LeaseState.REVOKING, T, T, T, 1,
                "x".repeat(70_000));

        assertThat(LeaseCodec.decode(LeaseCodec.encode(lease)).lastError()).hasSize(LeaseCodec.MAX_ERROR_LENGTH);
    }

    @Test
    void unknownVersionsAndTruncatedRecordsAreRejected() {
        byte[] record = LeaseCodec.encode(new Lease("lease_v", "t", "a", "k", "pg", "r", Map.of(), LeaseState.ACTIVE,
                T, T, T, 0, null));
        byte[] future = record.clone();
        future[0] = 9;

        assertThatThrownBy(() -> LeaseCodec.decode(future)).isInstanceOf(IOException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> LeaseCodec.decode(java.util.Arrays.copyOf(record, record.length - 3)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void leasesStoredAsJsonByEarlierVersionsAreStillRead(@TempDir Path dir) throws Exception {
        Lease lease = new Lease("lease_old", "t", "a", "task_k", "pg", "r", Map.of("username", "u"), LeaseState.ACTIVE,
                T, T.plusSeconds(60), T.plusSeconds(600), 0, null);
        ObjectMapper legacy = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        try (RocksStore rocks = RocksStore.open(dir)) {
            rocks.put(Keys.of("lease", "lease_old"), legacy.writeValueAsBytes(lease));
            rocks.put(Keys.of("lease", "lease_bad"), new byte[] {7, 7});
            LeaseStore store = new LeaseStore(rocks);

            assertThat(store.find("lease_old")).contains(lease);
            assertThatThrownBy(() -> store.find("lease_bad")).isInstanceOf(StorageException.class)
                    .hasMessage("corrupt lease record");
        }
    }
}
