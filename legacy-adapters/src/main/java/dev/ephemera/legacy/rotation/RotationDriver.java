package dev.ephemera.legacy.rotation;

import java.util.Map;

/**
 * Changes the password of one account on a legacy system. {@code target} names the account (for
 * PostgreSQL: {@code role}); the driver's own connection and admin credential come with the driver.
 * Implementations must be safe to call again with another password after a failure.
 */
public interface RotationDriver {
    /** The account now has {@code newPassword}; refused or unreachable is a {@link RotationException}. */
    void apply(Map<String, String> target, String newPassword) throws RotationException;

    /** Whether the account accepts this password now (used to settle a rotation a crash interrupted). */
    boolean accepts(Map<String, String> target, String password) throws RotationException;

    /**
     * Whether the account exists now, asked before it is escrowed so that a misspelt account is
     * refused rather than stored as failing. Unreachable is a {@link RotationException}.
     */
    default boolean exists(Map<String, String> target) throws RotationException {
        return true;
    }
}
