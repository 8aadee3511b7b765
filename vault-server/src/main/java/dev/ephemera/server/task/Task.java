package dev.ephemera.server.task;

import dev.ephemera.server.policy.Intent;
import dev.ephemera.server.policy.Sensitivity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A unit of agent work with a stated intent (objective, declared tools, data sensitivity); every
 * lease belongs to one and dies with it.
 */
public record Task(String id, String tenant, String agentId, String objective, TaskState state,
                   Instant issuedAt, Instant expiresAt, Instant endedAt, List<String> tools, Sensitivity sensitivity) {

    public enum TaskState { ACTIVE, ENDED, EXPIRED }

    public Task {
        tools = tools == null ? List.of() : List.copyOf(tools);
        sensitivity = sensitivity == null ? Sensitivity.INTERNAL : sensitivity;
    }

    /** Expiry is a fact of time, not a stored transition: nothing has to run for a task to expire. */
    public TaskState stateAt(Instant now) {
        return state == TaskState.ACTIVE && !expiresAt.isAfter(now) ? TaskState.EXPIRED : state;
    }

    /** The task's intent as policy sees it, for a request of this TTL from this address. */
    public Intent intent(Duration requestedTtl, String sourceAddress) {
        return new Intent(id, objective, tools, sensitivity, requestedTtl.toSeconds(), List.of(agentId), sourceAddress);
    }

    Task ended(Instant at) {
        return new Task(id, tenant, agentId, objective, TaskState.ENDED, issuedAt, expiresAt, at, tools, sensitivity);
    }
}
