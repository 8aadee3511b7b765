package dev.ephemera.client;

import java.time.Instant;
import java.util.Objects;

/** The server's view of a task at one moment. Carries no token. */
public record TaskInfo(String id, String agentId, String objective, TaskState state,
                       Instant issuedAt, Instant expiresAt) {

    public TaskInfo {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(agentId, "agentId must not be null");
        Objects.requireNonNull(objective, "objective must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(issuedAt, "issuedAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
    }
}
