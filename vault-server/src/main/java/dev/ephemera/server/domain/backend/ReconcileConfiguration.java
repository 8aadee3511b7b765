package dev.ephemera.server.domain.backend;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Positive;
import java.time.Duration;

/** {@code ephemera.reconcile.*}: how often {@link OrphanRoleReconciler} passes, and how many roles one pass may drop per backend. */
@ConfigurationProperties("ephemera.reconcile")
public record ReconcileConfiguration(@Bindable(defaultValue = "10m") @PositiveDuration Duration interval,
                                     @Bindable(defaultValue = "100") @Positive int maxDrops) {}
