package dev.ephemera.server.domain.task;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** {@code ephemera.task.*}: the lifetime of a task that names none, and the longest any may ask for. */
@ConfigurationProperties("ephemera.task")
public record TaskConfiguration(@Bindable(defaultValue = "1h") @PositiveDuration Duration defaultTtl,
                                @Bindable(defaultValue = "24h") @PositiveDuration Duration maxTtl) {}
