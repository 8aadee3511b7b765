package dev.ephemera.server.domain.quota;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Positive;

/** {@code ephemera.quota.*}: live leases at once ({@link LeaseQuota}) and request rates ({@link RateLimits}), per task, agent and tenant. */
@ConfigurationProperties("ephemera.quota")
public record QuotaConfiguration(@Bindable(defaultValue = "100") @Positive int liveLeasesPerTask,
                                 @Bindable(defaultValue = "1000") @Positive int liveLeasesPerAgent,
                                 @Bindable(defaultValue = "100000") @Positive int liveLeasesPerTenant,
                                 @Bindable(defaultValue = "20") @Positive double requestsPerSecondPerTask,
                                 @Bindable(defaultValue = "50") @Positive double requestsPerSecondPerAgent,
                                 @Bindable(defaultValue = "1000") @Positive double requestsPerSecondPerTenant) {}
