package dev.ephemera.lease;

import dev.ephemera.lease.backend.BackendResolver;
import dev.ephemera.lease.backend.LeaseBackend;
import dev.ephemera.lease.backend.RevokeTarget;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes leases due for revocation and revokes them in batches: one thread gathers up to
 * {@value #BATCH} lease ids at a time, a virtual thread per batch loads them, asks each backend to
 * revoke its share in one call ({@link LeaseBackend#revokeAll}, under that backend's concurrency
 * bound), then records every outcome in one durable write. A lease is marked revoked only after its
 * backend confirmed; a failure is recorded with its attempt count and retried on the backoff
 * schedule, then on the slow schedule once the lease is irrevocable. A lease whose credential is
 * still being issued is left to the granting thread, which sends it back once the issue has ended.
 */
final class RevocationPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationPipeline.class);
    static final int BATCH = 1024;
    private static final int BATCHES_IN_FLIGHT = 16;

    private final LeaseStore store;
    private final BackendResolver backends;
    private final InstantSource clock;
    private final RetryPolicy retry;
    private final int concurrencyPerBackend;
    private final LeaseTimers timers;
    private final LeaseMetrics metrics;
    private final LeaseLocks locks;
    private final Predicate<String> issuing;
    private final Consumer<Lease> onRevoked;
    private final Consumer<Lease> onConfirmed;

    private final ConcurrentLinkedQueue<String> due = new ConcurrentLinkedQueue<>();
    private final Map<String, Boolean> queued = new ConcurrentHashMap<>();
    /** Submitted again while queued or in a batch: looked at once more when that batch is done. */
    private final Map<String, Boolean> again = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> backendPermits = new ConcurrentHashMap<>();
    private final Semaphore batchesInFlight = new Semaphore(BATCHES_IN_FLIGHT);
    private final ExecutorService workers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ephemera-revoke-", 0).factory());
    private final Thread gatherer = Thread.ofPlatform().name("ephemera-revocations").daemon().unstarted(this::gather);
    private volatile boolean running = true;

    RevocationPipeline(LeaseStore store, BackendResolver backends, InstantSource clock, RetryPolicy retry,
                       int concurrencyPerBackend, LeaseTimers timers, LeaseMetrics metrics, LeaseLocks locks,
                       Predicate<String> issuing, Consumer<Lease> onRevoked, Consumer<Lease> onConfirmed) {
        this.onConfirmed = onConfirmed;
        this.store = store;
        this.backends = backends;
        this.clock = clock;
        this.retry = retry;
        this.concurrencyPerBackend = concurrencyPerBackend;
        this.timers = timers;
        this.metrics = metrics;
        this.locks = locks;
        this.issuing = issuing;
        this.onRevoked = onRevoked;
    }

    void start() {
        gatherer.start();
    }

    /** Queues a lease for revocation; a lease already queued or in a running batch is not queued twice. */
    void submit(String leaseId) {
        if (!running) {
            return;
        }
        metrics.awaiting(leaseId);
        if (queued.putIfAbsent(leaseId, Boolean.TRUE) == null) {
            due.add(leaseId);
            LockSupport.unpark(gatherer);
        } else {
            again.put(leaseId, Boolean.TRUE);
        }
    }

    private void gather() {
        while (running) {
            if (due.isEmpty()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                continue;
            }
            try {
                batchesInFlight.acquire();
            } catch (InterruptedException e) {
                return;
            }
            List<String> batch = new ArrayList<>(BATCH);
            for (String id; batch.size() < BATCH && (id = due.poll()) != null; ) {
                batch.add(id);
            }
            try {
                workers.execute(() -> {
                    try {
                        revoke(batch);
                    } catch (RuntimeException e) {
                        log.error("revocation batch of {} leases failed; they are retried", batch.size(), e);
                        batch.forEach(id -> timers.arm(id, clock.instant().plus(retry.initialDelay())));
                    } finally {
                        batchesInFlight.release();
                        for (String id : batch) {
                            queued.remove(id);
                            if (again.remove(id) != null) {
                                submit(id);
                            }
                        }
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                return;
            }
        }
    }

    private void revoke(List<String> ids) {
        Instant now = clock.instant();
        List<Lease> targets = locks.withAll(ids, () -> {
            List<Lease> found = new ArrayList<>(ids.size());
            for (String id : ids) {
                Lease lease = store.find(id).orElse(null);
                if (lease == null) {
                    continue;
                }
                if (issuing.test(id)) {
                    // Its credential may not be committed yet, so the backend could not see it to revoke.
                    // The granting thread sends it back here once the issue has ended.
                    continue;
                }
                switch (lease.state()) {
                    case REVOKED -> onRevoked.accept(lease);
                    case ACTIVE -> {
                        if (lease.expiresAt().isAfter(now)) {
                            // Its timer fired just before a renewal moved it: keep the lease.
                            metrics.stillActive(id);
                            timers.arm(id, lease.expiresAt());
                        } else {
                            found.add(lease); // expired: the expiry itself is the durable decision
                        }
                    }
                    case REVOKING, IRREVOCABLE -> found.add(lease);
                }
            }
            return found;
        });
        Map<String, List<Lease>> byBackend = new LinkedHashMap<>();
        targets.forEach(lease -> byBackend.computeIfAbsent(lease.backend(), b -> new ArrayList<>()).add(lease));
        byBackend.forEach(this::revokeOnBackend);
    }

    private void revokeOnBackend(String backendName, List<Lease> leases) {
        Map<String, String> failures = new LinkedHashMap<>();
        Semaphore permits = backendPermits.computeIfAbsent(backendName, b -> new Semaphore(concurrencyPerBackend));
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            Optional<LeaseBackend> backend = backends.resolve(backendName);
            if (backend.isEmpty()) {
                leases.forEach(l -> failures.put(l.id(), "backend '" + backendName + "' is not configured"));
            } else {
                List<RevokeTarget> targets = leases.stream().map(l -> new RevokeTarget(l.id(), l.role(), l.handle())).toList();
                backend.get().revokeAll(targets).forEach((id, e) -> failures.put(id, e.getMessage()));
            }
        } catch (RuntimeException e) {
            log.debug("unexpected failure revoking on backend {}", backendName, e);
            leases.forEach(l -> failures.put(l.id(), "internal error (" + e.getClass().getSimpleName() + ")"));
        } finally {
            permits.release();
        }
        record(backendName, leases, failures);
    }

    /**
     * One durable write for the whole batch's outcomes, then completions, metrics and retries. A
     * success is written from the copy loaded for the batch: while a lease awaits revocation nothing
     * but this pipeline moves it, except an admin's force, which also ends at revoked. A failure is
     * counted on a fresh read, so a lease forced meanwhile is not brought back.
     */
    private void record(String backendName, List<Lease> leases, Map<String, String> failures) {
        List<String> ids = leases.stream().map(Lease::id).toList();
        List<Lease> changed = locks.withAll(ids, () -> {
            List<Lease> updates = new ArrayList<>(ids.size());
            for (Lease loaded : leases) {
                String reason = failures.get(loaded.id());
                if (reason == null) {
                    updates.add(loaded.withState(LeaseState.REVOKED));
                    continue;
                }
                Lease current = store.find(loaded.id()).orElse(null);
                if (current == null || current.state() == LeaseState.REVOKED) {
                    continue;
                }
                Lease counted = current.withFailedAttempt(reason);
                if (counted.state() == LeaseState.ACTIVE) {
                    counted = counted.withState(LeaseState.REVOKING);
                }
                if (counted.state() == LeaseState.REVOKING && retry.exhausted(counted.revocationAttempts())) {
                    counted = counted.withState(LeaseState.IRREVOCABLE);
                }
                updates.add(counted);
            }
            store.updateAll(updates);
            return updates;
        });
        int failed = 0;
        String lastReason = null;
        for (Lease lease : changed) {
            if (lease.state() == LeaseState.REVOKED) {
                onConfirmed.accept(lease);
                onRevoked.accept(lease);
                continue;
            }
            failed++;
            lastReason = lease.lastError();
            metrics.retried();
            if (lease.state() == LeaseState.IRREVOCABLE) {
                metrics.irrevocable(lease.id());
                if (lease.revocationAttempts() == retry.maxAttempts()) {
                    log.error("lease {} is irrevocable after {} failed attempts (backend {}), retrying every ~{} s "
                            + "until an admin force-revokes it: {}", lease.id(), lease.revocationAttempts(), backendName,
                            retry.slowRetry().toSeconds(), lease.lastError());
                }
            }
            timers.arm(lease.id(), clock.instant().plus(retry.delayAfter(lease.revocationAttempts(), ThreadLocalRandom.current())));
        }
        if (failed > 0) {
            log.warn("{} of {} revocations failed on backend {} and will be retried: {}", failed, leases.size(),
                    backendName, lastReason);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(gatherer);
        workers.shutdownNow();
        try {
            gatherer.join(TimeUnit.SECONDS.toMillis(5));
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
