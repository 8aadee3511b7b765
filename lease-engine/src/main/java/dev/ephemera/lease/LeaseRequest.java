package dev.ephemera.lease;

import dev.ephemera.storage.Batch;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a caller asks of the engine. {@code notAfter} is the hard cap decided by the caller (the
 * earlier of the role's max TTL and the task's expiry); the engine never lets the lease outlive it.
 * {@code alsoWrite} is written in the same atomic batch as the new lease, before the credential is
 * issued (the policy decision that permitted it): the two exist together or not at all. {@code limits}
 * bound the live leases of the request's task, agent and tenant. {@code recheck} is asked once the
 * lease is durable, just before its credential is created: a task that ended between the caller's
 * checks and the lease's write would otherwise miss it in its revocation.
 */
public record LeaseRequest(
        String tenant,
        String agentId,
        String taskId,
        String backend,
        String role,
        Duration ttl,
        Instant notAfter,
        Batch alsoWrite,
        LiveLimits limits,
        Recheck recheck) {

    /** Why a lease, once durable, must not be issued after all; {@code null} when it may. */
    @FunctionalInterface
    public interface Recheck {
        Recheck NONE = () -> null;

        String refusal();
    }

    public LeaseRequest(String tenant, String agentId, String taskId, String backend, String role, Duration ttl, Instant notAfter) {
        this(tenant, agentId, taskId, backend, role, ttl, notAfter, Batch.create(), LiveLimits.NONE, Recheck.NONE);
    }

    public LeaseRequest(String tenant, String agentId, String taskId, String backend, String role, Duration ttl, Instant notAfter,
                        Batch alsoWrite, LiveLimits limits) {
        this(tenant, agentId, taskId, backend, role, ttl, notAfter, alsoWrite, limits, Recheck.NONE);
    }

    public LeaseRequest {
        Objects.requireNonNull(alsoWrite, "alsoWrite");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(recheck, "recheck");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(notAfter, "notAfter");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }
}
