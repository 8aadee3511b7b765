package dev.ephemera.server.domain.task;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * {@code ephemera.delegation.*}: how many delegations may separate a sub-task from its root task
 * (0: no task may delegate).
 */
@ConfigurationProperties("ephemera.delegation")
public record DelegationConfiguration(@Bindable(defaultValue = "3") @PositiveOrZero int maxDepth) {}
