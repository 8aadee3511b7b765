package dev.ephemera.server.domain.backend;

import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.server.domain.backend.PostgresBackend;
import dev.ephemera.server.domain.backend.PostgresBackend.MarkedRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Defence in depth behind the lease engine: every so often, each PostgreSQL backend is searched for
 * roles this vault marked (see {@link PostgresBackend#markedRoles}) whose lease is revoked or unknown,
 * and those are dropped. The engine's ordering should leave none; a statement the database committed
 * after the vault gave up on it, or a hand-restored database, can. Bounded per pass; each drop is
 * audited and counted. A role whose lease is live is left to the engine, whatever its state.
 */
@Context
public final class OrphanRoleReconciler {
    private static final Logger log = LoggerFactory.getLogger(OrphanRoleReconciler.class);
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.reconcile");
    private static final int PAGE = 500;

    /** What one pass over one backend did. */
    public record Pass(String backend, int examined, int dropped, int failed) {}

    private final BackendCatalog catalog;
    private final BackendRegistry registry;
    private final LeaseEngine engine;
    private final int maxDrops;
    private final PrometheusMeterRegistry metrics;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ephemera-reconcile").daemon().factory());

    OrphanRoleReconciler(BackendCatalog catalog, BackendRegistry registry, LeaseEngine engine, PrometheusMeterRegistry metrics,
                         ReconcileConfiguration configuration) {
        this.catalog = catalog;
        this.registry = registry;
        this.engine = engine;
        this.maxDrops = configuration.maxDrops();
        this.metrics = metrics;
        long millis = Math.max(configuration.interval().toMillis(), 100);
        ticker.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One pass over every PostgreSQL backend, now. */
    public List<Pass> reconcile() {
        return catalog.list().stream().filter(c -> PostgresBackend.TYPE.equals(c.type()))
                .map(c -> registry.resolve(c.name()).filter(PostgresBackend.class::isInstance)
                        .map(b -> reconcile(c.name(), (PostgresBackend) b)).orElse(new Pass(c.name(), 0, 0, 0)))
                .toList();
    }

    private Pass reconcile(String name, PostgresBackend backend) {
        int examined = 0;
        int dropped = 0;
        int failed = 0;
        long after = 0;
        try {
            for (List<MarkedRole> page = backend.markedRoles(after, PAGE); !page.isEmpty() && dropped + failed < maxDrops;
                 page = backend.markedRoles(after, PAGE)) {
                for (MarkedRole role : page) {
                    after = role.oid();
                    examined++;
                    String why = orphaned(role.leaseId());
                    if (why == null || dropped + failed >= maxDrops) {
                        continue;
                    }
                    try {
                        backend.dropOrphan(role.username());
                        dropped++;
                        counter("ephemera.reconcile.orphans.dropped", name).increment();
                        audit.warn("dropped role {} on backend {}: its lease {} {}", role.username(), name, role.leaseId(), why);
                    } catch (BackendException e) {
                        failed++;
                        counter("ephemera.reconcile.orphans.failed", name).increment();
                        log.warn("cannot drop orphaned role {} on backend {} (lease {}): {}", role.username(), name,
                                role.leaseId(), e.getMessage());
                    }
                }
            }
        } catch (BackendException e) {
            log.warn("reconciliation of backend {} stopped: {}", name, e.getMessage());
        }
        return new Pass(name, examined, dropped, failed);
    }

    /** Why a marked role has no business existing, or null while its lease is live. */
    private String orphaned(String leaseId) {
        Optional<Lease> lease = engine.find(leaseId);
        if (lease.isEmpty()) {
            return "is unknown to this vault";
        }
        return lease.get().state().isLive() ? null : "is " + lease.get().state().name().toLowerCase(java.util.Locale.ROOT);
    }

    private Counter counter(String name, String backend) {
        return Counter.builder(name).tag("backend", backend).register(metrics);
    }

    private void runQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("role reconciliation failed: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        ticker.shutdownNow();
    }
}
