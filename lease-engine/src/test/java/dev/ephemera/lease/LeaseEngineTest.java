package dev.ephemera.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.storage.RocksStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseEngineTest {
    private static final RetryPolicy FAST =
            new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(100), 2.0, 6, Duration.ofMillis(300));

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
        return new LeaseEngine(store, name -> name.equals("b") ? Optional.of(backend) : Optional.empty(),
                clock, FAST, 4, registry);
    }

    private LeaseRequest request(String task, Duration ttl) {
        return new LeaseRequest("t1", "agent-1", task, "b", "role", ttl, clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void aLeaseIsDurableBeforeItsCredentialExists() {
        backend.beforeIssue = issue -> assertThat(store.find(issue.leaseId())).get()
                .extracting(Lease::state).isEqualTo(LeaseState.ACTIVE);
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        assertThat(backend.live).contains("cred-" + grant.lease().id());
        assertThat(grant.credential().toString()).doesNotContain("s3cret");
    }

    @Test
    void aLeaseIsRevokedAtItsExpiry() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMillis(300)));
        Grant earlier = engine.grant(request("task-2", Duration.ofMillis(299)));

        clock.advance(Duration.ofMillis(299));
        awaitState(earlier.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(store.find(grant.lease().id()).orElseThrow().state()).as("a millisecond before its expiry")
                .isEqualTo(LeaseState.ACTIVE);

        clock.advance(Duration.ofMillis(1));
        awaitState(grant.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(backend.live).isEmpty();
        assertThat(clock.instant()).isAfterOrEqualTo(grant.lease().expiresAt());
    }

    @Test
    void metricsCountExpiriesRevocationsAndTheLagAfterExpiry() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMillis(200)));
        engine.grant(request("task-1", Duration.ofMinutes(5)));
        assertThat(registry.get("ephemera.leases.granted").counter().count()).isEqualTo(2);

        clock.advance(Duration.ofMillis(200));
        awaitState(grant.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
        Eventually.until("the revocation is counted, just after its durable write",
                () -> registry.get("ephemera.leases.revoked").counter().count() >= 1);

        assertThat(registry.get("ephemera.leases.expired").counter().count()).isEqualTo(1);
        assertThat(registry.get("ephemera.leases.revoked").counter().count()).isEqualTo(1);
        assertThat(registry.get("ephemera.revocation.lag").timer().count()).isEqualTo(1);
        assertThat(registry.get("ephemera.revocation.lag").timer().max(TimeUnit.MILLISECONDS)).isLessThan(1_000);
        assertThat(registry.get("ephemera.revocation.backlog").gauge().value()).isZero();
        Eventually.until("the timer thread publishes its count after each pass",
                () -> registry.get("ephemera.leases.pending").gauge().value() == 1);
        assertThat(registry.get("ephemera.leases.pending").gauge().value()).isEqualTo(1);
    }

    @Test
    void revokeCompletesWhenTheBackendConfirms() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        Lease revoked = engine.revoke(grant.lease().id()).get(5, TimeUnit.SECONDS);
        assertThat(revoked.state()).isEqualTo(LeaseState.REVOKED);
        assertThat(backend.live).isEmpty();
    }

    @Test
    void aFailingBackendIsRetriedAndTheLeaseIsNeverRevokedBeforeItSucceeds() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        backend.failuresBeforeRevokeSucceeds = 3;
        CompletableFuture<Lease> revocation = engine.revoke(grant.lease().id());
        for (int failed = 1; failed <= 3; failed++) {
            nextAttempt(grant.lease().id());
        }
        Lease revoked = revocation.get(10, TimeUnit.SECONDS);
        assertThat(revoked.state()).isEqualTo(LeaseState.REVOKED);
        assertThat(revoked.revocationAttempts()).isEqualTo(3);
        assertThat(revoked.lastError()).isEqualTo("backend down");
        assertThat(backend.revokeCalls.get()).isEqualTo(4);
        assertThat(backend.live).isEmpty();
    }

    @Test
    void whileTheBackendFailsTheLeaseStaysRevoking() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        backend.failuresBeforeRevokeSucceeds = Integer.MAX_VALUE;
        engine.revoke(grant.lease().id());
        while (backend.revokeCalls.get() < 3) {
            nextAttempt(grant.lease().id());
        }
        assertThat(backend.revokeCalls.get()).isGreaterThanOrEqualTo(3);
        assertThat(store.find(grant.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKING);
        assertThat(backend.live).isNotEmpty();
        backend.failuresBeforeRevokeSucceeds = 0;
        nextAttempt(grant.lease().id());
        awaitState(grant.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
    }

    @Test
    void aLeaseTheBackendNeverLetsGoBecomesIrrevocableIsRetriedSlowlyAndCanBeForced() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        String id = grant.lease().id();
        backend.failuresBeforeRevokeSucceeds = Integer.MAX_VALUE;
        CompletableFuture<Lease> revocation = engine.revoke(id);
        for (int failed = 1; failed < FAST.maxAttempts(); failed++) {
            nextAttempt(id);
        }

        awaitState(id, LeaseState.IRREVOCABLE, Duration.ofSeconds(5));
        assertThat(store.find(id).orElseThrow().revocationAttempts()).isEqualTo(FAST.maxAttempts());
        assertThat(engine.liveLeases(LeaseState.IRREVOCABLE)).extracting(Lease::id).containsExactly(id);
        assertThat(registry.get("ephemera.leases.irrevocable").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ephemera.revocation.retries").counter().count()).isGreaterThanOrEqualTo(FAST.maxAttempts());
        assertThat(registry.get("ephemera.revocation.backlog").gauge().value()).isEqualTo(1);
        assertThat(revocation).isNotDone();
        int calls = backend.revokeCalls.get();
        nextAttempt(id);
        assertThat(backend.revokeCalls.get()).as("still retried, on the slow schedule").isGreaterThan(calls);
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(LeaseState.IRREVOCABLE);

        Lease forced = engine.forceRevoke(id, "alice", "database decommissioned");

        assertThat(forced.state()).isEqualTo(LeaseState.REVOKED);
        assertThat(forced.lastError()).startsWith("force-revoked by alice after ").endsWith(": database decommissioned");
        assertThat(revocation.get(1, TimeUnit.SECONDS).state()).isEqualTo(LeaseState.REVOKED);
        assertThat(engine.liveLeases(LeaseState.IRREVOCABLE)).isEmpty();
        assertThat(registry.get("ephemera.leases.irrevocable").gauge().value()).isZero();
        assertThat(registry.get("ephemera.revocation.backlog").gauge().value()).isZero();
    }

    @Test
    void forceRevokeIsNoShortcutForAnActiveLease() {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));

        assertThatThrownBy(() -> engine.forceRevoke(grant.lease().id(), "alice", "why not"))
                .isInstanceOf(LeaseException.class).hasMessageContaining("revoke it first")
                .extracting(e -> ((LeaseException) e).reason()).isEqualTo(LeaseException.Reason.NOT_REVOKING);
        assertThat(store.find(grant.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(backend.live).contains("cred-" + grant.lease().id());
    }

    @Test
    void bulkRevocationTakesEveryMatchingLeaseInBatchesAndCountsThem() throws Exception {
        List<String> matching = new java.util.ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            matching.add(engine.grant(request("task-" + (i % 7), Duration.ofMinutes(5))).lease().id());
        }
        Grant other = engine.grant(new LeaseRequest("t1", "agent-2", "task-x", "b", "role", Duration.ofMinutes(5),
                clock.instant().plus(Duration.ofHours(1))));

        BulkRevocation job = engine.revokeMatching("agent=agent-1", lease -> lease.agentId().equals("agent-1"));

        Eventually.until("every matching lease revoked", Duration.ofSeconds(20), job::done);
        assertThat(job.done()).as("done: %d of %d revoked", job.revoked(), job.matched()).isTrue();
        assertThat(job.matched()).isEqualTo(2_500);
        assertThat(job.scanned()).isEqualTo(2_501);
        assertThat(job.revoked()).isEqualTo(2_500);
        assertThat(matching).allSatisfy(id -> assertThat(store.find(id).orElseThrow().state()).isEqualTo(LeaseState.REVOKED));
        assertThat(backend.live).containsExactly("cred-" + other.lease().id());
        assertThat(engine.bulkRevocation(job.id())).containsSame(job);
    }

    @Test
    void aFailedIssueLeavesNothingBehind() throws Exception {
        backend.failIssue = true;
        assertThatThrownBy(() -> engine.grant(request("task-1", Duration.ofMinutes(5))))
                .isInstanceOf(LeaseException.class).hasMessageContaining("issue refused");
        Eventually.until("the half-created credential is revoked", backend.live::isEmpty);
        assertThat(backend.live).as("the half-created credential was revoked").isEmpty();
    }

    @Test
    void aRevocationThatLandsWhileTheCredentialIsIssuedDestroysItAndTheCallerIsTold() throws Exception {
        CompletableFuture<CompletableFuture<Lease>> revocation = new CompletableFuture<>();
        backend.beforeIssue = issue -> {
            CompletableFuture<Lease> revoking = engine.revoke(issue.leaseId());
            revocation.complete(revoking);
            // Give a revocation that does not wait for the issue every chance to finish first.
            try {
                revoking.get(300, TimeUnit.MILLISECONDS);
            } catch (Exception stillWaiting) {
                // expected once issue and revoke are ordered
            }
        };

        assertThatThrownBy(() -> engine.grant(request("task-1", Duration.ofMinutes(5))))
                .isInstanceOfSatisfying(LeaseException.class, e -> assertThat(e.reason()).isEqualTo(LeaseException.Reason.REVOKED))
                .hasMessageContaining("revoked while its credential was being issued");
        Lease revoked = revocation.get(1, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        assertThat(revoked.state()).isEqualTo(LeaseState.REVOKED);
        assertThat(backend.live).as("the credential created for a revoked lease").isEmpty();
        assertThat(registry.get("ephemera.leases.revoked.while.issuing").counter().count()).isEqualTo(1);
    }

    @Test
    void aLeaseThatExpiresWhileItsCredentialIsIssuedIsNeverHandedOut() throws Exception {
        backend.beforeIssue = issue -> {
            // The timer fires during the issue; a revocation that does not wait would finish meanwhile.
            clock.advance(Duration.ofMillis(50));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (registry.get("ephemera.leases.expired").counter().count() < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long grace = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (store.find(issue.leaseId()).orElseThrow().state() != LeaseState.REVOKED && System.nanoTime() < grace) {
                Thread.onSpinWait();
            }
        };

        assertThatThrownBy(() -> engine.grant(request("task-1", Duration.ofMillis(50))))
                .isInstanceOfSatisfying(LeaseException.class, e -> assertThat(e.reason()).isEqualTo(LeaseException.Reason.REVOKED))
                .hasMessageContaining("expired while its credential was being issued");
        String leaseId = store.leaseIdsOfTask("task-1").getFirst();
        awaitState(leaseId, LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(backend.live).isEmpty();
    }

    @Test
    void aLeaseWhoseTaskEndedBeforeItsIssueIsRevokedWithoutACredential() throws Exception {
        LeaseRequest base = request("task-1", Duration.ofMinutes(5));
        LeaseRequest ended = new LeaseRequest(base.tenant(), base.agentId(), base.taskId(), base.backend(), base.role(),
                base.ttl(), base.notAfter(), base.alsoWrite(), base.limits(), () -> "task task-1 has ended");

        assertThatThrownBy(() -> engine.grant(ended)).isInstanceOf(LeaseException.class)
                .hasMessageContaining("was not issued: task task-1 has ended");
        String leaseId = store.leaseIdsOfTask("task-1").getFirst();
        awaitState(leaseId, LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(backend.live).isEmpty();
        // The lease stops counting just after its revoked state is written.
        Eventually.until("task-1 counts no live lease", () -> engine.liveCount("t1", null, "task-1") == 0);
        assertThat(engine.liveCount("t1", null, "task-1")).isZero();
    }

    @Test
    void forceCannotEndARevocationWhileTheCredentialIsBeingIssued() throws Exception {
        CompletableFuture<Throwable> forced = new CompletableFuture<>();
        backend.beforeIssue = issue -> {
            engine.revoke(issue.leaseId());
            try {
                engine.forceRevoke(issue.leaseId(), "admin", "stuck");
                forced.complete(null);
            } catch (LeaseException e) {
                forced.complete(e);
            }
        };
        assertThatThrownBy(() -> engine.grant(request("task-1", Duration.ofMinutes(5)))).isInstanceOf(LeaseException.class);
        assertThat(forced.get(1, TimeUnit.SECONDS)).hasMessageContaining("is being issued");
        awaitState(store.leaseIdsOfTask("task-1").getFirst(), LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(backend.live).isEmpty();
    }

    @Test
    void renewalMovesTheExpiryWithinTheCap() throws Exception {
        Instant cap = clock.instant().plusSeconds(30);
        Grant grant = engine.grant(new LeaseRequest("t1", "a", "task-1", "b", "role", Duration.ofMillis(400), cap));
        Lease renewed = engine.renew(grant.lease().id(), Duration.ofHours(2));
        assertThat(renewed.expiresAt()).isEqualTo(cap);
        assertThat(backend.validUntil.get("cred-" + grant.lease().id())).isEqualTo(cap);
        // A witness due after the old deadline: once it is revoked, the wheel has passed that deadline.
        Grant witness = engine.grant(request("task-2", Duration.ofMillis(600)));
        clock.advance(Duration.ofMillis(600));
        awaitState(witness.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(10));
        assertThat(store.find(grant.lease().id()).orElseThrow().state()).as("the old deadline no longer fires")
                .isEqualTo(LeaseState.ACTIVE);
    }

    @Test
    void renewingARevokedLeaseIsRefused() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(5)));
        engine.revoke(grant.lease().id()).get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> engine.renew(grant.lease().id(), Duration.ofMinutes(1)))
                .isInstanceOf(LeaseException.class).extracting(e -> ((LeaseException) e).reason())
                .isEqualTo(LeaseException.Reason.NOT_RENEWABLE);
    }

    @Test
    void revokingATaskRevokesAllOfItsLeasesAndNoOthers() throws Exception {
        Grant a = engine.grant(request("task-1", Duration.ofMinutes(5)));
        Grant b = engine.grant(request("task-1", Duration.ofMinutes(5)));
        Grant other = engine.grant(request("task-2", Duration.ofMinutes(5)));
        List<CompletableFuture<Lease>> revocations = engine.revokeTask("task-1");
        assertThat(revocations).hasSize(2);
        CompletableFuture.allOf(revocations.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(backend.live).containsExactly("cred-" + other.lease().id());
        assertThat(store.find(a.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKED);
        assertThat(store.find(b.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKED);
    }

    @Test
    void recoveryRearmsPendingLeasesAndRevokesOverdueOnes() throws Exception {
        Grant pending = engine.grant(request("task-1", Duration.ofSeconds(1)));
        Grant overdue = engine.grant(request("task-1", Duration.ofMillis(100)));
        Grant later = engine.grant(request("task-1", Duration.ofMinutes(10)));
        engine.close();
        clock.advance(Duration.ofMillis(150)); // past the overdue one's expiry, with the engine stopped
        assertThat(backend.live).as("nothing revoked while stopped").hasSize(3);

        engine = newEngine();
        LeaseEngine.Recovery recovery = engine.start();

        assertThat(recovery.overdue()).isEqualTo(1);
        assertThat(recovery.armed()).isEqualTo(2);
        awaitState(overdue.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(2));
        clock.advance(Duration.ofMillis(850)); // to the pending one's expiry
        awaitState(pending.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
        assertThat(store.find(later.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(backend.live).containsExactly("cred-" + later.lease().id());
    }

    @Test
    void aRevocationDecidedBeforeAStopIsFinishedAfterTheRestart() throws Exception {
        Grant grant = engine.grant(request("task-1", Duration.ofMinutes(10)));
        backend.failuresBeforeRevokeSucceeds = Integer.MAX_VALUE;
        engine.revoke(grant.lease().id());
        engine.close();
        assertThat(store.find(grant.lease().id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKING);

        backend.failuresBeforeRevokeSucceeds = 0;
        engine = newEngine();
        assertThat(engine.start().overdue()).isEqualTo(1);
        awaitState(grant.lease().id(), LeaseState.REVOKED, Duration.ofSeconds(5));
    }

    @Test
    void anEngineStoppedInTheMiddleOfAStormMissesNothingAfterItsRestart() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(engine.grant(request("task-" + (i % 3), Duration.ofMillis(400))).lease().id());
        }
        // The storm is let through a hundred revocations at a time, so the stop lands mid-storm.
        Semaphore gate = new Semaphore(0);
        backend.revokeGate = gate;
        clock.advance(Duration.ofMillis(400));
        gate.release(100);
        Eventually.until("a hundred revoked", () -> backend.live.size() == 200);
        engine.close(); // interrupts the revocations held at the gate
        int liveAtStop = backend.live.size();
        assertThat(liveAtStop).as("stopped mid-storm").isBetween(1, 299);

        backend.revokeGate = null;
        engine = newEngine();
        LeaseEngine.Recovery recovery = engine.start();

        assertThat(recovery.overdue() + recovery.armed()).as("every credential still out is accounted for")
                .isGreaterThanOrEqualTo(liveAtStop);
        for (String id : ids) {
            awaitState(id, LeaseState.REVOKED, Duration.ofSeconds(10));
        }
        assertThat(backend.live).isEmpty();
        // Revocation is idempotent, so a lease the stop caught mid-call may be revoked once more; never more.
        assertThat(backend.revocationsByCredential.values()).allSatisfy(n -> assertThat(n.get()).isBetween(1, 2));
    }

    @Test
    void recoveryPagesThroughTensOfThousandsOfLeasesAndCanRunInTheBackground() throws Exception {
        engine.close();
        Instant now = clock.instant();
        List<Lease> leases = new java.util.ArrayList<>();
        for (int i = 0; i < 25_000; i++) {
            Instant expiry = i < 100 ? now.minusSeconds(1) : now.plus(Duration.ofHours(1));
            leases.add(new Lease("lease_bulk" + i, "t1", "agent-1", "task-1", "b", "role", Map.of("name", "cred-bulk" + i),
                    LeaseState.ACTIVE, now, expiry, expiry, 0, null));
        }
        store.insertAll(leases);

        engine = newEngine();
        LeaseEngine.Recovery recovery = engine.startInBackground().get(60, TimeUnit.SECONDS);

        assertThat(recovery.armed()).isEqualTo(24_900);
        assertThat(recovery.overdue()).isEqualTo(100);
        awaitState("lease_bulk0", LeaseState.REVOKED, Duration.ofSeconds(10));
        awaitState("lease_bulk99", LeaseState.REVOKED, Duration.ofSeconds(10));
        assertThat(store.find("lease_bulk100").orElseThrow().state()).isEqualTo(LeaseState.ACTIVE);
    }

    private void awaitState(String leaseId, LeaseState state, Duration limit) {
        Eventually.until("lease " + leaseId + " " + state, limit, () -> store.find(leaseId).orElseThrow().state() == state);
    }

    /**
     * Lets a lease's next revocation attempt come due: waits until its last failure is recorded (its
     * retry is armed just after), then moves the clock past the longest backoff until the backend is
     * called again. Only for a lease revoked alone, whose attempts are the backend's calls.
     */
    private void nextAttempt(String leaseId) {
        Eventually.until("the first attempt, made at once", () -> backend.revokeCalls.get() >= 1);
        int calls = backend.revokeCalls.get();
        Eventually.until("failure " + calls + " of " + leaseId + " recorded",
                () -> store.find(leaseId).orElseThrow().revocationAttempts() == calls);
        Eventually.advancingUntil(clock, FAST.slowRetry(), "attempt " + (calls + 1) + " of " + leaseId,
                () -> backend.revokeCalls.get() > calls);
    }
}
