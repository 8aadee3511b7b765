package dev.ephemera.server.domain.escrow;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Positive;
import java.time.Duration;

/**
 * {@code ephemera.escrow.*}: attempts per rotation before a secret is marked failing; how long the
 * account a dual-account pair switched away from keeps its password; the gap between scheduled rotations.
 */
@ConfigurationProperties("ephemera.escrow")
public record EscrowConfiguration(@Bindable(defaultValue = "3") @Positive int rotationAttempts,
                                  @Bindable(defaultValue = "1m") @PositiveDuration Duration dualOverlap,
                                  @Bindable(defaultValue = "1s") @PositiveDuration Duration rotationGap) {}
