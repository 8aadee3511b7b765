package dev.ephemera.server.domain.approval;

import java.time.Instant;
import java.util.List;

/**
 * A request held for human approval: one lease (task, backend role, TTL) that policy permitted only
 * with {@code required} distinct approvers, or an admin's break-glass operation on an escrowed
 * secret ({@code backend} names the kind, {@code role} the secret or route, {@code detail} exactly
 * what was asked, {@code reason} why). It is used once, by whoever asked, after approval and before
 * it expires.
 */
public record Approval(String id, String tenant, String taskId, String agentId, String owner, String backend, String role,
                       long ttlSeconds, int required, boolean excludesOwner, String decisionId, Status status,
                       List<Vote> votes, Instant createdAt, Instant expiresAt, String detail, String reason) {

    public enum Status { PENDING, APPROVED, DENIED, USED }

    /** One human's answer. */
    public record Vote(String approver, boolean approve, String comment, Instant at) {}

    public Approval {
        votes = votes == null ? List.of() : List.copyOf(votes);
    }

    public Status statusAt(Instant now) {
        return (status == Status.PENDING || status == Status.APPROVED) && !expiresAt.isAfter(now) ? Status.DENIED : status;
    }

    Approval with(Status next, List<Vote> allVotes) {
        return new Approval(id, tenant, taskId, agentId, owner, backend, role, ttlSeconds, required, excludesOwner, decisionId,
                next, allVotes, createdAt, expiresAt, detail, reason);
    }
}
