package dev.ephemera.lease;

import dev.ephemera.crypto.SecretGenerator;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations of every active lease that matches, in the background: the live table is scanned,
 * matches are marked {@link LeaseState#REVOKING} in durable batches of {@value #BATCH} and handed to
 * the engine's workers. Leases already being revoked are left to their own revocation and not counted.
 */
final class BulkRevocations {
    private static final Logger log = LoggerFactory.getLogger(BulkRevocations.class);
    static final int BATCH = 1_000;

    private final LeaseStore store;
    private final LeaseLocks locks;
    private final InstantSource clock;
    private final Executor scans;
    /** Sends a lease durably marked for revocation to the workers; completes once it is revoked. */
    private final Function<String, CompletableFuture<Lease>> revokeMarked;
    private final Map<String, BulkRevocation> jobs = new ConcurrentHashMap<>();

    BulkRevocations(LeaseStore store, LeaseLocks locks, InstantSource clock, Executor scans,
                    Function<String, CompletableFuture<Lease>> revokeMarked) {
        this.store = store;
        this.locks = locks;
        this.clock = clock;
        this.scans = scans;
        this.revokeMarked = revokeMarked;
    }

    /** Returns at once with the job, whose counters show progress. */
    BulkRevocation start(String description, Predicate<Lease> filter) {
        BulkRevocation job = new BulkRevocation(SecretGenerator.identifier("bulk_"), description, clock.instant());
        jobs.put(job.id(), job);
        scans.execute(() -> {
            try {
                List<Lease> batch = new ArrayList<>(BATCH);
                store.forEachLive(lease -> {
                    job.scanned.incrementAndGet();
                    if (lease.state() == LeaseState.ACTIVE && filter.test(lease)) {
                        batch.add(lease);
                        if (batch.size() == BATCH) {
                            markAndDispatch(batch, job);
                        }
                    }
                });
                markAndDispatch(batch, job);
                job.finishScan();
                log.info("bulk revocation {} ({}): {} leases matched of {} live", job.id(), description,
                        job.matched(), job.scanned());
            } catch (RuntimeException e) {
                job.fail("scan failed: " + e.getClass().getSimpleName());
                log.error("bulk revocation {} ({}) stopped after {} matches", job.id(), description, job.matched(), e);
            }
        });
        return job;
    }

    Optional<BulkRevocation> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void markAndDispatch(List<Lease> candidates, BulkRevocation job) {
        // The stripes are held from the re-read to the durable write: a renewal or a finished
        // revocation is never overwritten.
        List<Lease> marked = locks.withAll(candidates.stream().map(Lease::id).toList(), () -> {
            List<Lease> active = new ArrayList<>(candidates.size());
            for (Lease candidate : candidates) {
                store.find(candidate.id()).filter(l -> l.state() == LeaseState.ACTIVE)
                        .ifPresent(l -> active.add(l.withState(LeaseState.REVOKING)));
            }
            store.updateAll(active);
            return active;
        });
        candidates.clear();
        for (Lease lease : marked) {
            job.matched.incrementAndGet();
            revokeMarked.apply(lease.id()).thenRun(job.revoked::incrementAndGet);
        }
    }
}
