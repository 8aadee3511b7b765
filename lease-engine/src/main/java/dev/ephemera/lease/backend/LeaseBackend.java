package dev.ephemera.lease.backend;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A system leases are drawn from. Issue is split in two so the engine can persist the lease, with
 * the handle it will be revoked by, before the credential exists: a crash between the two then
 * leaves a lease to revoke rather than an orphaned credential.
 */
public interface LeaseBackend {

    /** Chooses the non-secret handle (for example a role name) without touching the backend. */
    Map<String, String> prepare(IssueRequest request) throws BackendException;

    /** Creates the credential named by {@code handle}, valid until {@code request.expiresAt()}. */
    Credential issue(IssueRequest request, Map<String, String> handle) throws BackendException;

    /** Extends the credential's own validity, where the backend has one. */
    void renew(String role, Map<String, String> handle, Instant expiresAt) throws BackendException;

    /**
     * Removes the credential. Must be idempotent: revoking something that was never created, or was
     * already revoked, succeeds.
     */
    void revoke(String role, Map<String, String> handle) throws BackendException;

    /**
     * Removes many credentials, for example in one transaction; returns the failures by lease id
     * (an empty map when all are gone). Same idempotence as {@link #revoke}. The default revokes one
     * by one; a backend that can do better overrides it.
     */
    default Map<String, BackendException> revokeAll(List<RevokeTarget> targets) {
        Map<String, BackendException> failures = new LinkedHashMap<>();
        for (RevokeTarget target : targets) {
            try {
                revoke(target.role(), target.handle());
            } catch (BackendException e) {
                failures.put(target.leaseId(), e);
            }
        }
        return failures;
    }
}
