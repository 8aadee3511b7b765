package dev.ephemera.server.domain.quota;

import dev.ephemera.lease.LiveLimits;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/** The configured bounds on live leases; the engine enforces them at each grant. */
@Singleton
public final class LeaseQuota {
    private final LiveLimits limits;

    LeaseQuota(@Value("${ephemera.quota.live-leases-per-task:100}") int perTask,
               @Value("${ephemera.quota.live-leases-per-agent:1000}") int perAgent,
               @Value("${ephemera.quota.live-leases-per-tenant:100000}") int perTenant) {
        this.limits = new LiveLimits(perTask, perAgent, perTenant);
    }

    public LiveLimits limits() {
        return limits;
    }
}
