package dev.ephemera.server.domain.task;

import dev.ephemera.server.domain.policy.Intent;
import dev.ephemera.server.domain.policy.Sensitivity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A unit of agent work with a stated intent (objective, declared tools, data sensitivity, and
 * optionally the backend roles it may lease, as {@code backend/role}); every lease belongs to one
 * and dies with it. A delegated task names its parent, and its {@code actorChain} lists every agent
 * from the root task's to this one's (RFC 8693 {@code act}, flattened).
 */
public record Task(String id, String tenant, String agentId, String objective, TaskState state,
                   Instant issuedAt, Instant expiresAt, Instant endedAt, List<String> tools, Sensitivity sensitivity,
                   List<String> roles, String parentTaskId, List<String> actorChain) {

    public enum TaskState { ACTIVE, ENDED, EXPIRED }

    public Task {
        tools = tools == null ? List.of() : List.copyOf(tools);
        sensitivity = sensitivity == null ? Sensitivity.INTERNAL : sensitivity;
        roles = roles == null ? List.of() : List.copyOf(roles);
        actorChain = actorChain == null || actorChain.isEmpty() ? List.of(agentId) : List.copyOf(actorChain);
    }

    /** Expiry is a fact of time, not a stored transition: nothing has to run for a task to expire. */
    public TaskState stateAt(Instant now) {
        return state == TaskState.ACTIVE && !expiresAt.isAfter(now) ? TaskState.EXPIRED : state;
    }

    /** How many delegations separate this task from its root task. */
    public int depth() {
        return actorChain.size() - 1;
    }

    /** Whether the task may lease this role: a task that declared roles may lease only those. */
    public boolean allowsRole(String backend, String role) {
        return roles.isEmpty() || roles.contains(backend + "/" + role);
    }

    /** The task's intent as policy sees it, for a request of this TTL from this address. */
    public Intent intent(Duration requestedTtl, String sourceAddress) {
        return new Intent(id, objective, tools, sensitivity, requestedTtl.toSeconds(), actorChain, sourceAddress);
    }

    Task ended(Instant at) {
        return new Task(id, tenant, agentId, objective, TaskState.ENDED, issuedAt, expiresAt, at, tools, sensitivity,
                roles, parentTaskId, actorChain);
    }
}
