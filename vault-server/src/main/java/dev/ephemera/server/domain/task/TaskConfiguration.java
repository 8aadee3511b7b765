package dev.ephemera.server.domain.task;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code ephemera.task.*}: the lifetime of a task that names none, and the longest any may ask for.
 * A default beyond the maximum would refuse every task that names no lifetime, so it stops the start.
 */
@ConfigurationProperties("ephemera.task")
public record TaskConfiguration(@Bindable(defaultValue = "1h") @PositiveDuration Duration defaultTtl,
                                @Bindable(defaultValue = "24h") @PositiveDuration Duration maxTtl) {
    public TaskConfiguration {
        if (defaultTtl != null && maxTtl != null && defaultTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("ephemera.task.default-ttl (" + defaultTtl + ") must not exceed ephemera.task.max-ttl ("
                    + maxTtl + ")");
        }
    }
}
