package dev.ephemera.server;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.Factory;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import jakarta.inject.Singleton;
import java.time.Duration;

/** The validators of the configuration's own constraints, which the domain names without the validation framework. */
@Factory
class ConfigurationChecks {

    @Singleton
    ConstraintValidator<PositiveDuration, Duration> positiveDuration() {
        return (value, annotation, context) -> value == null || (!value.isZero() && !value.isNegative()
                && value.compareTo(Duration.ofSeconds(annotation.longValue("atLeastSeconds").orElse(0))) >= 0);
    }
}
