package dev.ephemera.lease;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.lease.LeaseException.Reason;
import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.BackendResolver;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.lease.backend.LeaseBackend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grants, renews and revokes leases, and guarantees that every granted lease is revoked: at its
 * expiry, on request, or after a restart. The rules that make that hold:
 * <ul>
 *   <li>a lease is durable before its credential exists, so a crash leaves a lease to revoke, never
 *       an orphaned credential;</li>
 *   <li>a decision to revoke is durable before the backend is called: the lease's expiry, or the
 *       {@link LeaseState#REVOKING} state for a revocation asked before it;</li>
 *   <li>a lease is marked {@link LeaseState#REVOKED} only after the backend confirms; until then it is
 *       retried with backoff, forever, and recovered on restart;</li>
 *   <li>issue and revocation of one lease never overlap: a revocation decided while the credential
 *       is being created reaches the backend only once the issue has ended (the backend could not see
 *       an uncommitted credential to remove it), and a credential whose lease was revoked or expired
 *       meanwhile is destroyed instead of handed out.</li>
 * </ul>
 */
public final class LeaseEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseEngine.class);

    private final LeaseStore store;
    private final BackendResolver backends;
    private final InstantSource clock;
    private final LeaseTimers timers;
    private final LeaseMetrics metrics;
    private final LeaseLocks locks = new LeaseLocks();
    private final LeaseCounts counts = new LeaseCounts();
    /** Leases an admin forced to revoked: their pipeline confirmation, if it still comes, is not counted again. */
    private final Set<String> forced = ConcurrentHashMap.newKeySet();
    /** Leases whose credential is being created: revocation waits for the issue to end (see {@link #issued}). */
    private final Set<String> issuing = ConcurrentHashMap.newKeySet();
    private final RevocationPipeline pipeline;
    /** Bulk revocation scans. */
    private final ExecutorService scans =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ephemera-bulk-", 0).factory());
    private final Map<String, CompletableFuture<Lease>> revocations = new ConcurrentHashMap<>();
    private final BulkRevocations bulk;
    private volatile boolean running;

    public LeaseEngine(LeaseStore store, BackendResolver backends, InstantSource clock, RetryPolicy retry,
                       int concurrencyPerBackend) {
        this(store, backends, clock, retry, concurrencyPerBackend, new SimpleMeterRegistry());
    }

    public LeaseEngine(LeaseStore store, BackendResolver backends, InstantSource clock, RetryPolicy retry,
                       int concurrencyPerBackend, MeterRegistry registry) {
        this.store = store;
        this.backends = backends;
        this.clock = clock;
        this.timers = new LeaseTimers(clock, this::timerFired);
        this.metrics = new LeaseMetrics(registry, timers::pending);
        this.pipeline = new RevocationPipeline(store, backends, clock, retry, concurrencyPerBackend, timers, metrics,
                locks, issuing::contains, this::complete, this::ended);
        this.bulk = new BulkRevocations(store, locks, clock, scans, this::revokeMarked);
    }

    /**
     * Starts the engine and recovers every live lease before returning: overdue and half-revoked
     * leases are sent to revocation as they are found, unexpired ones are re-armed at their expiry.
     */
    public Recovery start() {
        begin();
        return recover();
    }

    /**
     * Starts the engine at once and recovers in the background, so that a vault holding millions of
     * leases serves requests while it re-arms them. A lease that comes due before the scan reaches it
     * is revoked when the scan gets there; one renewed meanwhile keeps its new expiry.
     */
    public CompletableFuture<Recovery> startInBackground() {
        begin();
        return CompletableFuture.supplyAsync(this::recover, scans);
    }

    // Timers and revocations run before the scan: a recovery of millions fills the bounded command
    // queue, and timers that come due while it runs must find a pipeline to go to.
    private void begin() {
        running = true;
        pipeline.start();
        timers.start();
    }

    private Recovery recover() {
        long began = System.nanoTime();
        Instant now = clock.instant();
        int[] found = {0, 0};
        store.forEachLive(lease -> {
            this.counts.add(lease);
            if (lease.state() == LeaseState.ACTIVE && lease.expiresAt().isAfter(now)) {
                timers.arm(lease.id(), lease.expiresAt());
                found[0]++;
            } else {
                if (lease.state() == LeaseState.IRREVOCABLE) {
                    metrics.irrevocable(lease.id());
                }
                dispatch(lease.id());
                found[1]++;
            }
        });
        Recovery recovery = new Recovery(found[0], found[1]);
        log.info("lease engine recovery: {} leases re-armed, {} overdue sent to revocation, in {} ms",
                recovery.armed(), recovery.overdue(), (System.nanoTime() - began) / 1_000_000);
        return recovery;
    }

    /** What {@link #start()} found on disk. */
    public record Recovery(int armed, int overdue) {}

    public Grant grant(LeaseRequest request) {
        ensureRunning();
        LeaseBackend backend = backends.resolve(request.backend())
                .orElseThrow(() -> new LeaseException(Reason.BACKEND_UNKNOWN, "no backend named '" + request.backend() + "'"));
        Instant now = clock.instant();
        Instant expiresAt = min(now.plus(request.ttl()), request.notAfter());
        if (!expiresAt.isAfter(now)) {
            throw new LeaseException(Reason.NOT_RENEWABLE, "the lease would expire immediately: its cap has passed");
        }
        LeaseCounts.Refusal refusal = counts.tryAdd(request.tenant(), request.agentId(), request.taskId(), request.limits());
        if (refusal != null) {
            metrics.quotaRefused();
            throw new LeaseException(Reason.QUOTA_EXCEEDED, refusal.scope() + " already holds " + refusal.live()
                    + " live leases, its limit; revoke one or wait for one to expire");
        }
        String id = SecretGenerator.identifier("lease_");
        IssueRequest issue = new IssueRequest(request.tenant(), id, request.taskId(), request.agentId(), request.role(), expiresAt);
        Map<String, String> handle;
        Lease lease;
        issuing.add(id); // before the lease can be seen: no revocation may reach the backend ahead of the issue
        try {
            handle = backend.prepare(issue);
            lease = new Lease(id, request.tenant(), request.agentId(), request.taskId(), request.backend(),
                    request.role(), handle, LeaseState.ACTIVE, now, expiresAt, request.notAfter(), 0, null);
            store.insert(lease, request.alsoWrite());
        } catch (BackendException | RuntimeException e) {
            issuing.remove(id);
            counts.remove(request.tenant(), request.agentId(), request.taskId()); // it never became a lease
            throw e instanceof BackendException backendFailure
                    ? new LeaseException(Reason.BACKEND_FAILED, backendFailure.getMessage(), backendFailure)
                    : (RuntimeException) e;
        }
        timers.arm(id, expiresAt);
        String unwanted;
        try {
            unwanted = request.recheck().refusal();
        } catch (RuntimeException e) {
            abandon(id);
            throw e;
        }
        if (unwanted != null) {
            abandon(id);
            throw new LeaseException(Reason.REVOKED, "lease " + id + " was not issued: " + unwanted);
        }
        Credential credential;
        try {
            credential = backend.issue(issue, handle);
        } catch (BackendException | RuntimeException e) {
            abandon(id); // whatever the backend half-created goes with the lease: revoke is idempotent
            String reason = e instanceof BackendException ? e.getMessage() : "internal error";
            throw new LeaseException(Reason.BACKEND_FAILED,
                    "backend '" + request.backend() + "' could not issue the credential: " + reason, e);
        }
        Lease issued = issued(id);
        if (issued.state() != LeaseState.ACTIVE || !issued.expiresAt().isAfter(clock.instant())) {
            revoke(id);
            metrics.revokedWhileIssuing();
            throw new LeaseException(Reason.REVOKED, "lease " + id + " was "
                    + (issued.state() == LeaseState.ACTIVE ? "expired" : "revoked")
                    + " while its credential was being issued; the credential is being destroyed and was not handed out");
        }
        metrics.granted();
        return new Grant(issued, credential);
    }

    /**
     * Ends the lease's issue: from here on revocations go to the backend. Under the lease's lock, so a
     * revocation either saw the issue running (and left the lease to this thread) or comes after it.
     */
    private Lease issued(String leaseId) {
        return locks.with(leaseId, () -> {
            issuing.remove(leaseId);
            return store.find(leaseId).orElseThrow(() -> notFound(leaseId));
        });
    }

    private void abandon(String leaseId) {
        issued(leaseId);
        revoke(leaseId);
    }

    /** Moves the lease's expiry to now + increment, capped by its max expiry. */
    public Lease renew(String leaseId, Duration increment) {
        ensureRunning();
        if (increment.isNegative() || increment.isZero()) {
            throw new IllegalArgumentException("increment must be positive");
        }
        return locks.with(leaseId, () -> {
            Lease lease = store.find(leaseId).orElseThrow(() -> notFound(leaseId));
            Instant now = clock.instant();
            if (lease.state() != LeaseState.ACTIVE || !lease.expiresAt().isAfter(now)) {
                throw new LeaseException(Reason.NOT_RENEWABLE, "lease " + leaseId + " is no longer active");
            }
            Instant newExpiry = min(now.plus(increment), lease.maxExpiresAt());
            LeaseBackend backend = backends.resolve(lease.backend()).orElseThrow(
                    () -> new LeaseException(Reason.BACKEND_UNKNOWN, "no backend named '" + lease.backend() + "'"));
            try {
                backend.renew(lease.role(), lease.handle(), newExpiry);
            } catch (BackendException e) {
                throw new LeaseException(Reason.BACKEND_FAILED, e.getMessage(), e);
            }
            Lease renewed = lease.withExpiry(newExpiry);
            store.update(renewed);
            timers.arm(leaseId, newExpiry);
            return renewed;
        });
    }

    /**
     * Decides durably that the lease goes, then revokes it in the background. The future completes
     * when the backend has confirmed; it may take as long as the backend stays down.
     */
    public CompletableFuture<Lease> revoke(String leaseId) {
        ensureRunning();
        Lease lease = transition(leaseId, l -> l.state() == LeaseState.ACTIVE ? l.withState(LeaseState.REVOKING) : l);
        if (lease.state() == LeaseState.REVOKED) {
            return CompletableFuture.completedFuture(lease);
        }
        return revokeMarked(leaseId);
    }

    /** Sends a lease whose revocation is durably decided to the workers; completes once it is revoked. */
    private CompletableFuture<Lease> revokeMarked(String leaseId) {
        CompletableFuture<Lease> done = revocations.computeIfAbsent(leaseId, id -> new CompletableFuture<>());
        timers.disarm(leaseId);
        dispatch(leaseId);
        return done;
    }

    /**
     * Revokes every active lease that matches, in the background (see {@link BulkRevocations}).
     * Returns at once with the job, whose counters show progress.
     */
    public BulkRevocation revokeMatching(String description, Predicate<Lease> filter) {
        ensureRunning();
        return bulk.start(description, filter);
    }

    public Optional<BulkRevocation> bulkRevocation(String id) {
        return bulk.find(id);
    }

    /** Revokes every live lease of a task; returns one future per lease being revoked. */
    public List<CompletableFuture<Lease>> revokeTask(String taskId) {
        List<CompletableFuture<Lease>> pending = new ArrayList<>();
        for (String leaseId : store.leaseIdsOfTask(taskId)) {
            store.find(leaseId).filter(l -> l.state().isLive()).ifPresent(l -> pending.add(revoke(leaseId)));
        }
        return pending;
    }

    /**
     * Gives up on revoking a lease whose backend keeps refusing: marks it revoked without the
     * backend's confirmation, on an admin's word. Only for leases already being revoked, so that it
     * can never be a shortcut around a revocation that would work.
     */
    public Lease forceRevoke(String leaseId, String actor, String reason) {
        ensureRunning();
        boolean[] changed = {false};
        Lease lease = transition(leaseId, l -> {
            if (l.state() != LeaseState.REVOKED && issuing.contains(leaseId)) {
                throw new LeaseException(Reason.NOT_REVOKING,
                        "lease " + leaseId + " is being issued: its revocation runs as soon as the issue ends");
            }
            return switch (l.state()) {
                case ACTIVE -> throw new LeaseException(Reason.NOT_REVOKING,
                        "lease " + leaseId + " is active: revoke it first; force only ends a revocation that keeps failing");
                case REVOKED -> l;
                case REVOKING, IRREVOCABLE -> {
                    changed[0] = true;
                    yield l.withState(LeaseState.REVOKED)
                            .withError("force-revoked by " + actor + " after " + l.revocationAttempts() + " failed attempts: " + reason);
                }
            };
        });
        if (changed[0]) {
            forced.add(leaseId);
            counts.remove(lease);
        }
        timers.disarm(leaseId);
        log.warn("lease {} force-revoked by {} without backend confirmation: {}", leaseId, actor, reason);
        complete(lease);
        return lease;
    }

    /** Live leases in the given state, for operators (irrevocable ones above all). */
    public List<Lease> liveLeases(LeaseState state) {
        List<Lease> found = new ArrayList<>();
        store.forEachLive(lease -> {
            if (lease.state() == state) {
                found.add(lease);
            }
        });
        return found;
    }

    public Optional<Lease> find(String leaseId) {
        return store.find(leaseId);
    }

    public int pendingTimers() {
        return timers.pending();
    }

    private void dispatch(String leaseId) {
        if (running) {
            pipeline.submit(leaseId);
        }
    }

    private void timerFired(String leaseId) {
        metrics.expired(leaseId);
        dispatch(leaseId);
    }

    /** The backend confirmed a revocation: the lease stops counting (once, even if an admin forced it meanwhile). */
    private void ended(Lease lease) {
        if (!forced.remove(lease.id())) {
            counts.remove(lease);
        }
    }

    /** Live leases of a task, an agent or a tenant right now. */
    public int liveCount(String tenant, String agent, String task) {
        return task != null ? counts.ofTask(task) : agent != null ? counts.ofAgent(tenant, agent) : counts.ofTenant(tenant);
    }

    private void complete(Lease lease) {
        if (lease.state() == LeaseState.REVOKED) {
            Duration sinceExpiry = Duration.between(lease.expiresAt(), clock.instant());
            metrics.revoked(lease.id(), sinceExpiry.isNegative() ? null : sinceExpiry);
        }
        CompletableFuture<Lease> done = revocations.remove(lease.id());
        if (done != null) {
            done.complete(lease);
        }
    }

    private Lease transition(String leaseId, UnaryOperator<Lease> change) {
        return locks.with(leaseId, () -> {
            Lease lease = store.find(leaseId).orElseThrow(() -> notFound(leaseId));
            Lease changed = change.apply(lease);
            if (!changed.equals(lease)) {
                store.update(changed);
            }
            return changed;
        });
    }

    private void ensureRunning() {
        if (!running) {
            throw new LeaseException(Reason.SHUTTING_DOWN, "the lease engine is not running");
        }
    }

    private static LeaseException notFound(String leaseId) {
        return new LeaseException(Reason.NOT_FOUND, "no lease " + leaseId);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Stops timers and workers. Unfinished revocations stay durable and resume at the next start. */
    @Override
    public void close() {
        running = false;
        timers.close();
        pipeline.close();
        scans.shutdownNow();
        try {
            scans.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
