package dev.ephemera.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a caller asks of the engine. {@code notAfter} is the hard cap decided by the caller (the
 * earlier of the role's max TTL and the task's expiry); the engine never lets the lease outlive it.
 */
public record LeaseRequest(
        String tenant,
        String agentId,
        String taskId,
        String backend,
        String role,
        Duration ttl,
        Instant notAfter) {

    public LeaseRequest {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(notAfter, "notAfter");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }
}
