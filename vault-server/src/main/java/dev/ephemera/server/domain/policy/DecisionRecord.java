package dev.ephemera.server.domain.policy;

import java.time.Instant;
import java.util.List;

/**
 * One policy decision as kept: who asked (agent, its owner, the actor chain), within which task,
 * for what, with which stated intent, and what was decided by which policies of which version; a
 * permit that needs human approval says how many approvers, and once fulfilled, by which approval.
 */
public record DecisionRecord(String id, Instant at, String tenant, String action, String agentId, String owner,
                             String taskId, List<String> actorChain, String resource, String objective,
                             List<String> tools, String sensitivity, long ttlSeconds, String sourceAddress,
                             String outcome, int policyVersion, List<String> policyIds, String reason,
                             Integer approvalsRequired, Boolean approvalExcludesOwner, String approvalId) {

    /** The same decision, fulfilled by a granted approval. */
    public DecisionRecord approvedBy(String approval) {
        return new DecisionRecord(id, at, tenant, action, agentId, owner, taskId, actorChain, resource, objective, tools,
                sensitivity, ttlSeconds, sourceAddress, outcome, policyVersion, policyIds, reason, approvalsRequired,
                approvalExcludesOwner, approval);
    }

    public ApprovalRule approvalRule() {
        return approvalsRequired == null ? ApprovalRule.NONE
                : new ApprovalRule(approvalsRequired, Boolean.TRUE.equals(approvalExcludesOwner));
    }
}
