package dev.ephemera.server.domain.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/**
 * A configured duration that must be longer than zero (a zero or negative timeout, interval or TTL
 * would disable what it bounds). Checked by a validator the entry points register, so the domain
 * names the rule without depending on the validation framework.
 */
@Documented
@Constraint(validatedBy = {})
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE_USE})
public @interface PositiveDuration {
    String message() default "must be a positive duration";

    /** A floor above zero, in whole seconds, for what cannot take less (0: none). */
    long atLeastSeconds() default 0;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
