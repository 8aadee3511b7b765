package dev.ephemera.server.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call a route. Every route declares it; {@link DeclaredCallers} checks the caller's token
 * before the route runs and refuses every route that declares nothing.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CalledBy {
    Caller value();

    enum Caller {
        /** No token: health and what agents need to verify the vault. */
        ANYONE,
        /** An agent proving its workload identity (JWT or X.509-SVID), which the route itself verifies. */
        WORKLOAD,
        TASK,
        ADMIN,
        /** An admin of the vault's shared resources (backends, roles, issuers, metrics, admin tokens). */
        OPERATOR,
        /** A legacy application's consumer grant. */
        CONSUMER,
        ADMIN_OR_TASK
    }
}
