package dev.ephemera.lease;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A persisted lease. Holds only what is needed to find, renew and revoke the credential: the
 * {@code handle} is chosen by the backend and must never contain a secret, because the lease record
 * is what an operator or an auditor reads.
 */
public record Lease(
        String id,
        String tenant,
        String agentId,
        String taskId,
        String backend,
        String role,
        Map<String, String> handle,
        LeaseState state,
        Instant issuedAt,
        Instant expiresAt,
        Instant maxExpiresAt,
        int revocationAttempts,
        String lastError) {

    public Lease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(maxExpiresAt, "maxExpiresAt");
        handle = Map.copyOf(handle);
    }

    Lease withState(LeaseState newState) {
        return new Lease(id, tenant, agentId, taskId, backend, role, handle, newState, issuedAt, expiresAt,
                maxExpiresAt, revocationAttempts, lastError);
    }

    Lease withExpiry(Instant newExpiry) {
        return new Lease(id, tenant, agentId, taskId, backend, role, handle, state, issuedAt, newExpiry,
                maxExpiresAt, revocationAttempts, lastError);
    }

    Lease withError(String error) {
        return new Lease(id, tenant, agentId, taskId, backend, role, handle, state, issuedAt, expiresAt,
                maxExpiresAt, revocationAttempts, error);
    }

    Lease withFailedAttempt(String error) {
        return new Lease(id, tenant, agentId, taskId, backend, role, handle, state, issuedAt, expiresAt,
                maxExpiresAt, revocationAttempts + 1, error);
    }
}
