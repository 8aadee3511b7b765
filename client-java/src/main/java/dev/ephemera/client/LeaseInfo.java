package dev.ephemera.client;

import java.time.Instant;
import java.util.Objects;

/**
 * The server's view of a lease at one moment. Carries no credential.
 *
 * @param expiresAt    when the lease is revoked unless renewed
 * @param maxExpiresAt the latest {@code expiresAt} any renewal can reach
 */
public record LeaseInfo(String id, String backend, String role, String taskId, LeaseState state,
                        Instant issuedAt, Instant expiresAt, Instant maxExpiresAt) {

    public LeaseInfo {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(backend, "backend must not be null");
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(taskId, "taskId must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(issuedAt, "issuedAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(maxExpiresAt, "maxExpiresAt must not be null");
    }
}
