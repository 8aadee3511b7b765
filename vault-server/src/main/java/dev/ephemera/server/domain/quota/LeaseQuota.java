package dev.ephemera.server.domain.quota;

import dev.ephemera.lease.LiveLimits;
import jakarta.inject.Singleton;

/** The configured bounds on live leases; the engine enforces them at each grant. */
@Singleton
public final class LeaseQuota {
    private final LiveLimits limits;

    LeaseQuota(QuotaConfiguration configuration) {
        this.limits = new LiveLimits(configuration.liveLeasesPerTask(), configuration.liveLeasesPerAgent(),
                configuration.liveLeasesPerTenant());
    }

    public LiveLimits limits() {
        return limits;
    }
}
