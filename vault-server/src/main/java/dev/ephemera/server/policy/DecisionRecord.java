package dev.ephemera.server.policy;

import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * One policy decision as kept: who asked (agent, its owner, the actor chain), within which task,
 * for what, with which stated intent, and what was decided by which policies of which version.
 */
@Serdeable
public record DecisionRecord(String id, Instant at, String tenant, String action, String agentId, String owner,
                             String taskId, List<String> actorChain, String resource, String objective,
                             List<String> tools, String sensitivity, long ttlSeconds, String sourceAddress,
                             String outcome, int policyVersion, List<String> policyIds, String reason) {
}
