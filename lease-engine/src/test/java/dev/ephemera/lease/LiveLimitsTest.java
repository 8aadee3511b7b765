package dev.ephemera.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.storage.Batch;
import dev.ephemera.storage.RocksStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live lease limits per task, agent and tenant: counted at grant, recovery, confirmation and force. */
class LiveLimitsTest {
    private static final RetryPolicy FAST =
            new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(100), 2.0, 2, Duration.ofMillis(200));

    @TempDir
    Path dir;
    ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    RocksStore rocks;
    LeaseStore store;
    RecordingBackend backend = new RecordingBackend();
    LeaseEngine engine;
    SimpleMeterRegistry registry;

    @BeforeEach
    void open() {
        rocks = RocksStore.open(dir);
        store = new LeaseStore(rocks);
        engine = newEngine();
        engine.start();
    }

    @AfterEach
    void close() {
        engine.close();
        rocks.close();
    }

    private LeaseEngine newEngine() {
        registry = new SimpleMeterRegistry();
        return new LeaseEngine(store, name -> Optional.of(backend), clock, FAST, 4, registry);
    }

    private LeaseRequest request(String agent, String task, LiveLimits limits) {
        return new LeaseRequest("tenant-a", agent, task, "b", "role", Duration.ofMinutes(5), clock.instant().plus(Duration.ofHours(1)),
                Batch.create(), limits);
    }

    @Test
    void aTaskAtItsLimitIsRefusedUntilALeaseIsRevoked() throws Exception {
        LiveLimits limits = new LiveLimits(2, 10, 100);
        Grant first = engine.grant(request("agent-1", "task-1", limits));
        engine.grant(request("agent-1", "task-1", limits));

        assertThatThrownBy(() -> engine.grant(request("agent-1", "task-1", limits)))
                .isInstanceOf(LeaseException.class).hasMessageContaining("task task-1 already holds 2 live leases")
                .extracting(e -> ((LeaseException) e).reason()).isEqualTo(LeaseException.Reason.QUOTA_EXCEEDED);
        assertThat(backend.live).hasSize(2);
        assertThat(registry.get("ephemera.leases.quota.refused").counter().count()).isEqualTo(1);
        engine.grant(request("agent-1", "task-2", limits)); // another task of the same agent is within its own bound

        engine.revoke(first.lease().id()).get(5, TimeUnit.SECONDS);
        engine.grant(request("agent-1", "task-1", limits));
        assertThat(engine.liveCount("tenant-a", null, "task-1")).isEqualTo(2);
    }

    @Test
    void agentAndTenantLimitsSpanTasks() {
        LiveLimits limits = new LiveLimits(10, 3, 4);
        for (int i = 0; i < 3; i++) {
            engine.grant(request("agent-1", "task-" + i, limits));
        }
        assertThatThrownBy(() -> engine.grant(request("agent-1", "task-9", limits))).hasMessageContaining("agent agent-1");
        engine.grant(request("agent-2", "task-9", limits));
        assertThatThrownBy(() -> engine.grant(request("agent-3", "task-10", limits))).hasMessageContaining("tenant tenant-a");
        assertThat(engine.liveCount("tenant-a", null, null)).isEqualTo(4);
    }

    @Test
    void aGrantTheBackendRefusesGivesItsCountBack() throws Exception {
        LiveLimits limits = new LiveLimits(1, 10, 10);
        backend.failIssue = true;
        assertThatThrownBy(() -> engine.grant(request("agent-1", "task-1", limits))).isInstanceOf(LeaseException.class)
                .extracting(e -> ((LeaseException) e).reason()).isEqualTo(LeaseException.Reason.BACKEND_FAILED);
        backend.failIssue = false;
        awaitCount("task-1", 0);
        engine.grant(request("agent-1", "task-1", limits));
    }

    @Test
    void aForcedRevocationStopsCountingOnce() throws Exception {
        LiveLimits limits = new LiveLimits(5, 10, 10);
        backend.failuresBeforeRevokeSucceeds = Integer.MAX_VALUE;
        Grant stuck = engine.grant(request("agent-1", "task-1", limits));
        engine.grant(request("agent-1", "task-1", limits));
        engine.revoke(stuck.lease().id());
        Eventually.until("the first attempt failed", () -> store.find(stuck.lease().id()).orElseThrow().revocationAttempts() == 1);
        Eventually.advancingUntil(clock, FAST.maxDelay(), "the retry fails too", () -> backend.revokeCalls.get() == 2);
        awaitState(stuck.lease().id(), LeaseState.IRREVOCABLE);

        engine.forceRevoke(stuck.lease().id(), "admin", "dropped by hand");
        backend.failuresBeforeRevokeSucceeds = 0;

        assertThat(engine.liveCount("tenant-a", null, "task-1")).isEqualTo(1);
        assertThat(engine.liveCount("tenant-a", "agent-1", null)).isEqualTo(1);
    }

    @Test
    void countsAreRebuiltFromTheStoreAtRecovery() {
        LiveLimits limits = new LiveLimits(2, 10, 10);
        engine.grant(request("agent-1", "task-1", limits));
        engine.grant(request("agent-1", "task-1", limits));
        engine.close();
        engine = newEngine();
        engine.start();

        assertThat(engine.liveCount("tenant-a", null, "task-1")).isEqualTo(2);
        assertThatThrownBy(() -> engine.grant(request("agent-1", "task-1", limits))).hasMessageContaining("already holds 2");
    }

    private void awaitCount(String task, int expected) {
        Eventually.until("count of " + task + " reaches " + expected, Duration.ofSeconds(5),
                () -> engine.liveCount("tenant-a", null, task) == expected);
    }

    private void awaitState(String leaseId, LeaseState state) {
        Eventually.until(leaseId + " reaches " + state, () -> store.find(leaseId).orElseThrow().state() == state);
    }
}
