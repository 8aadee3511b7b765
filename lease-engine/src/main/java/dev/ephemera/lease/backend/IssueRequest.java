package dev.ephemera.lease.backend;

import java.time.Instant;

/** Everything a backend may use to mint a credential for one lease. */
public record IssueRequest(String tenant, String leaseId, String taskId, String agentId, String role, Instant expiresAt) {
}
