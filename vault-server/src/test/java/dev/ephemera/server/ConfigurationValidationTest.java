package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.UnsealKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad setting stops the start with one line naming the property and the rule it breaks (issue 12, item 4). */
class ConfigurationValidationTest {
    @TempDir
    Path dataDir;

    private EphemeraServer start(Map<String, Object> settings) throws IOException {
        Path keyFile = dataDir.resolve("unseal.key");
        try (UnsealKey key = UnsealKey.generate()) {
            Files.writeString(keyFile, key.toBase64());
        }
        return EphemeraServer.start(dataDir, keyFile, "127.0.0.1", 0, settings);
    }

    @Test
    void aZeroQuotaIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> start(Map.of("ephemera.quota.live-leases-per-task", 0)))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.quota.live-leases-per-task must be greater than 0");
    }

    @Test
    void aZeroDurationIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> start(Map.of("ephemera.task.max-ttl", "0s")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.task.max-ttl must be a positive duration");
    }

    @Test
    void aNestedSettingIsNamedInFull() {
        assertThatThrownBy(() -> start(Map.of("ephemera.proxy.postgres.max-handshakes-per-source", -3)))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.proxy.postgres.max-handshakes-per-source must be greater than 0");
    }

    @Test
    void aTimeoutBelowWhatItsServerCanCountIsRefused() {
        assertThatThrownBy(() -> start(Map.of("ephemera.proxy.http.request-read-timeout", "500ms")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.proxy.http.request-read-timeout must be at least 1s");
    }

    @Test
    void aSettingOfTheEntryPointsIsNamedToo() {
        assertThatThrownBy(() -> start(Map.of("ephemera.revocation.max-backoff", "-1s")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.revocation.max-backoff must be a positive duration");
    }

    @Test
    void aValueThatIsNotADurationIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> start(Map.of("ephemera.task.default-ttl", "soon")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.task.default-ttl must be a duration such as 90s, 15m or 1h");
    }

    @Test
    void aDefaultTaskLifetimeBeyondTheMaximumIsRefused() {
        assertThatThrownBy(() -> start(Map.of("ephemera.task.default-ttl", "2h", "ephemera.task.max-ttl", "90m")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.task.default-ttl (PT2H) must not exceed ephemera.task.max-ttl (PT1H30M)");
    }

    @Test
    void aFirstRetryAfterTheLongestIsRefused() {
        assertThatThrownBy(() -> start(Map.of("ephemera.revocation.initial-backoff", "2m")))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("ephemera.revocation.initial-backoff (PT2M) must not exceed ephemera.revocation.max-backoff (PT1M)");
    }
}
