package dev.ephemera.bench;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseState;
import dev.ephemera.lease.LeaseStore;
import dev.ephemera.lease.RetryPolicy;
import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.lease.backend.LeaseBackend;
import dev.ephemera.lease.backend.RevokeTarget;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The revocation storm end to end, through the real lease engine: {@code N} leases persisted in an
 * encrypted RocksDB store (the server's storage stack), all due within the same second; the engine
 * starts (recovery re-arms them), the second comes, and every lease must be revoked by a no-op
 * backend and durably marked revoked. Prints recovery time, time to drain, and throughput.
 * With {@code recovery} as second argument it stops after recovery (for sizes whose storm would
 * take too long), timing also the background start a server uses. With {@code lag}, the N leases
 * are spread over the next day instead, and for 30 s new 2-second leases are granted at 250/s:
 * the run reports how long after its expiry each of those was revoked.
 * <pre>java -Xmx3g -cp bench/target/benchmarks.jar dev.ephemera.bench.StormRun [N [recovery|lag]]</pre>
 */
public final class StormRun {
    private StormRun() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean recoveryOnly = args.length > 1 && args[1].equals("recovery");
        boolean lagOnly = args.length > 1 && args[1].equals("lag");
        Path dir = Files.createTempDirectory("ephemera-storm-");
        UnsealKey key = UnsealKey.generate();
        NoOpBackend backend = new NoOpBackend();
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), key)) {
            LeaseStore leases = new LeaseStore(store);
            Instant now = Instant.now();
            // Lead time for persisting and recovering everything (~45 s per million here) before the storm.
            Instant due = now.plusSeconds(recoveryOnly || lagOnly ? 3_600 : 10 + n / 20_000);
            long t0 = System.nanoTime();
            List<Lease> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Instant expiry = lagOnly ? due.plusMillis((long) i * 82_800_000L / n) : due.plusMillis(i % 1000);
                batch.add(new Lease(SecretGenerator.identifier("lease_"), "default", "agent-" + (i % 100), "task_" + (i % 10_000),
                        "noop", "role", Map.of("username", "u" + i), LeaseState.ACTIVE, now, expiry, expiry, 0, null));
                if (batch.size() == 10_000) {
                    leases.insertAll(batch);
                    batch.clear();
                    System.out.printf("persisted %,d leases%n", i + 1);
                }
            }
            leases.insertAll(batch);
            System.out.printf("setup: %,d leases persisted in %.1f s, %s %s%n", n, (System.nanoTime() - t0) / 1e9,
                    lagOnly ? "spread over the 23 hours after" : "all due in the second after", due);

            long heapBefore = usedHeapAfterGc();
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            try (LeaseEngine engine = new LeaseEngine(leases, name -> Optional.of(backend), InstantSource.system(),
                    RetryPolicy.DEFAULT, 8, metrics)) {
                long startT = System.nanoTime();
                if (recoveryOnly) {
                    var background = engine.startInBackground();
                    System.out.printf("serving (startInBackground returned) after %.3f s%n", (System.nanoTime() - startT) / 1e9);
                    LeaseEngine.Recovery recovery = background.get();
                    System.out.printf("recovery: %,d re-armed, %,d overdue, in %.1f s; heap per pending lease %.0f bytes%n",
                            recovery.armed(), recovery.overdue(), (System.nanoTime() - startT) / 1e9,
                            (usedHeapAfterGc() - heapBefore) / (double) n);
                    return;
                }
                LeaseEngine.Recovery recovery = engine.start();
                if (lagOnly) {
                    measureLag(engine, metrics, n);
                    return;
                }
                System.out.printf("recovery: %,d re-armed, %,d overdue, in %.1f s%n", recovery.armed(), recovery.overdue(),
                        (System.nanoTime() - startT) / 1e9);
                System.out.printf("heap held by the engine per pending lease (timer wheel + lease index + queues): %.0f bytes%n",
                        (usedHeapAfterGc() - heapBefore) / (double) n);
                if (Instant.now().isAfter(due)) {
                    System.out.println("WARNING: recovery ran past the due second; raise the lead time");
                }
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), due).toMillis()));
                long dueNanos = System.nanoTime();
                double revoked;
                while ((revoked = metrics.get("ephemera.leases.revoked").counter().count()) < n) {
                    Thread.sleep(500);
                    System.out.printf("  +%.1f s: %,.0f revoked, backlog %,.0f%n", (System.nanoTime() - dueNanos) / 1e9,
                            revoked, metrics.get("ephemera.revocation.backlog").gauge().value());
                }
                double drain = (System.nanoTime() - dueNanos) / 1e9;
                System.out.printf("storm: %,d leases due within one second, all revoked and durably marked %.1f s after "
                        + "the second began (%.0f leases/s); backend calls %,d (%,d leases)%n", n, drain, n / drain,
                        backend.calls.get(), backend.revoked.get());
                System.out.printf("lag after expiry: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                        percentile(metrics, 0.5), percentile(metrics, 0.99),
                        metrics.get("ephemera.revocation.lag").timer().max(java.util.concurrent.TimeUnit.MILLISECONDS));
            }
            int[] live = {0};
            leases.forEachLive(lease -> live[0]++);
            System.out.printf("verification: %,d leases still live in the store (must be 0)%n", live[0]);
        }
    }

    /** Grants 2-second leases at 250/s for 30 s beside the N pending ones; reports their revocation lag. */
    private static void measureLag(LeaseEngine engine, SimpleMeterRegistry metrics, int pending) throws Exception {
        int granted = 0;
        long start = System.nanoTime();
        for (int tick = 0; tick < 3_000; tick++) { // 10 ms ticks
            for (int i = 0; i < 2 + (tick % 2); i++) {
                engine.grant(new dev.ephemera.lease.LeaseRequest("default", "agent-lag", "task_lag", "noop", "role",
                        Duration.ofSeconds(2), Instant.now().plusSeconds(60)));
                granted++;
            }
            long next = start + (tick + 1) * 10_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        while (metrics.get("ephemera.leases.revoked").counter().count() < granted) {
            Thread.sleep(200);
        }
        System.out.printf("lag: %,d leases granted in %.1f s (%.0f/s) beside %,d pending; revoked after expiry: "
                + "p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", granted, seconds, granted / seconds, pending,
                percentile(metrics, 0.5), percentile(metrics, 0.99),
                metrics.get("ephemera.revocation.lag").timer().max(java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double percentile(SimpleMeterRegistry metrics, double p) {
        for (var value : metrics.get("ephemera.revocation.lag").timer().takeSnapshot().percentileValues()) {
            if (value.percentile() == p) {
                return value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    /** Confirms every revocation at once: the storm measures the engine and its storage, not a database. */
    private static final class NoOpBackend implements LeaseBackend {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger revoked = new AtomicInteger();

        @Override
        public Map<String, String> prepare(IssueRequest request) {
            return Map.of();
        }

        @Override
        public Credential issue(IssueRequest request, Map<String, String> handle) {
            return new Credential("noop", Map.of());
        }

        @Override
        public void renew(String role, Map<String, String> handle, Instant expiresAt) {
        }

        @Override
        public void revoke(String role, Map<String, String> handle) {
            calls.incrementAndGet();
            revoked.incrementAndGet();
        }

        @Override
        public Map<String, BackendException> revokeAll(List<RevokeTarget> targets) {
            calls.incrementAndGet();
            revoked.addAndGet(targets.size());
            return Map.of();
        }
    }
}
