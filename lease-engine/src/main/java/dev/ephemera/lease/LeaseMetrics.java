package dev.ephemera.lease;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * What an operator watches on the lease engine. Rates come from counters (expirations per second is
 * the rate of {@code ephemera.leases.expired}); the revocation lag is the time from a lease's expiry
 * to the backend's confirmation, as a histogram with percentiles.
 */
final class LeaseMetrics {
    private final Counter granted;
    private final Counter expired;
    private final Counter revoked;
    private final Counter quotaRefused;
    private final Counter revokedWhileIssuing;
    private final Counter retries;
    private final Timer lag;
    /** Leases decided for revocation and not yet confirmed: the backlog. */
    private final Set<String> awaiting = ConcurrentHashMap.newKeySet();
    private final Set<String> irrevocable = ConcurrentHashMap.newKeySet();

    LeaseMetrics(MeterRegistry registry, IntSupplier pendingTimers) {
        granted = Counter.builder("ephemera.leases.granted").description("Leases granted").register(registry);
        quotaRefused = Counter.builder("ephemera.leases.quota.refused")
                .description("Lease requests refused because a task, agent or tenant held its limit of live leases").register(registry);
        revokedWhileIssuing = Counter.builder("ephemera.leases.revoked.while.issuing")
                .description("Credentials destroyed before they were handed out: their lease was revoked or expired while it was issued")
                .register(registry);
        expired = Counter.builder("ephemera.leases.expired").description("Lease timers that fired").register(registry);
        revoked = Counter.builder("ephemera.leases.revoked").description("Revocations the backend confirmed, or an admin forced")
                .register(registry);
        retries = Counter.builder("ephemera.revocation.retries").description("Failed revocation attempts, each retried")
                .register(registry);
        lag = Timer.builder("ephemera.revocation.lag").description("From a lease's expiry to the backend's confirmation")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
        Gauge.builder("ephemera.leases.pending", pendingTimers::getAsInt).description("Lease timers armed")
                .register(registry);
        Gauge.builder("ephemera.revocation.backlog", awaiting::size).description("Leases awaiting a confirmed revocation")
                .register(registry);
        Gauge.builder("ephemera.leases.irrevocable", irrevocable::size).description("Leases whose revocation keeps failing")
                .register(registry);
    }

    void granted() {
        granted.increment();
    }

    /** A lease timer fired; retry timers of leases already awaiting revocation are not expiries. */
    void expired(String leaseId) {
        if (!awaiting.contains(leaseId)) {
            expired.increment();
        }
    }

    void awaiting(String leaseId) {
        awaiting.add(leaseId);
    }

    /** A lease sent to revocation turned out renewed in time: it is not part of the backlog. */
    void stillActive(String leaseId) {
        awaiting.remove(leaseId);
    }

    void revokedWhileIssuing() {
        revokedWhileIssuing.increment();
    }

    void quotaRefused() {
        quotaRefused.increment();
    }

    void retried() {
        retries.increment();
    }

    void irrevocable(String leaseId) {
        irrevocable.add(leaseId);
    }

    /** A confirmed (or forced) revocation; {@code lagAfterExpiry} is null when it came before expiry. */
    void revoked(String leaseId, Duration lagAfterExpiry) {
        if (awaiting.remove(leaseId) | irrevocable.remove(leaseId)) {
            // Lag first: whoever sees the revocation counted also sees its lag.
            if (lagAfterExpiry != null) {
                lag.record(lagAfterExpiry);
            }
            revoked.increment();
        }
    }
}
