package dev.ephemera.server;

import dev.ephemera.lease.RetryPolicy;
import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Positive;
import java.time.Duration;

/**
 * {@code ephemera.revocation.*}: the lease engine's retry schedule for failed revocations (doubling
 * from initial-backoff up to max-backoff), after how many failures a lease is irrevocable and then
 * retried every irrevocable-retry, and how many revocations run at once per backend.
 */
@ConfigurationProperties("ephemera.revocation")
record RevocationConfiguration(@Bindable(defaultValue = "1s") @PositiveDuration Duration initialBackoff,
                               @Bindable(defaultValue = "60s") @PositiveDuration Duration maxBackoff,
                               @Bindable(defaultValue = "12") @Positive int maxAttempts,
                               @Bindable(defaultValue = "15m") @PositiveDuration Duration irrevocableRetry,
                               @Bindable(defaultValue = "8") @Positive int concurrencyPerBackend) {

    RevocationConfiguration {
        if (initialBackoff != null && maxBackoff != null && initialBackoff.compareTo(maxBackoff) > 0) {
            throw new IllegalArgumentException("ephemera.revocation.initial-backoff (" + initialBackoff
                    + ") must not exceed ephemera.revocation.max-backoff (" + maxBackoff + ")");
        }
    }

    RetryPolicy retryPolicy() {
        return new RetryPolicy(initialBackoff, maxBackoff, 2.0, maxAttempts, irrevocableRetry);
    }
}
