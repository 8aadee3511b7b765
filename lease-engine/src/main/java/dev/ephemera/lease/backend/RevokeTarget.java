package dev.ephemera.lease.backend;

import java.util.Map;

/** One credential to remove in a batch: the lease it belongs to, its role and its handle. */
public record RevokeTarget(String leaseId, String role, Map<String, String> handle) {
    public RevokeTarget {
        handle = Map.copyOf(handle);
    }
}
