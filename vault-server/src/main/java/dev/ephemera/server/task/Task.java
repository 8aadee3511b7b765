package dev.ephemera.server.task;

import java.time.Instant;

/** A unit of agent work with a stated objective; every lease belongs to one and dies with it. */
public record Task(String id, String tenant, String agentId, String objective, TaskState state,
                   Instant issuedAt, Instant expiresAt, Instant endedAt) {

    public enum TaskState { ACTIVE, ENDED, EXPIRED }

    /** Expiry is a fact of time, not a stored transition: nothing has to run for a task to expire. */
    public TaskState stateAt(Instant now) {
        return state == TaskState.ACTIVE && !expiresAt.isAfter(now) ? TaskState.EXPIRED : state;
    }

    Task ended(Instant at) {
        return new Task(id, tenant, agentId, objective, TaskState.ENDED, issuedAt, expiresAt, at);
    }
}
