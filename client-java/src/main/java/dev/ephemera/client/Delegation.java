package dev.ephemera.client;

import java.time.Instant;
import java.util.List;

/**
 * A sub-task offered to another agent: hand {@link #token()} to that agent, which accepts it with
 * {@link Ephemera#acceptDelegation} under its own workload identity, once, before
 * {@link #offerExpiresAt()}. The token is a credential: {@code toString} leaves it out.
 */
public record Delegation(String id, String token, String agentId, Instant offerExpiresAt, Instant taskExpiresAt,
                         List<String> actorChain) {

    @Override
    public String toString() {
        return "Delegation[id=" + id + ", agentId=" + agentId + ", offerExpiresAt=" + offerExpiresAt + ", actorChain="
                + actorChain + "]";
    }
}
