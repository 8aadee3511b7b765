package dev.ephemera.server.domain.policy;

import java.util.List;

/**
 * What the request is for, as policy sees it in {@code context}: the task's objective, declared
 * tools and data sensitivity, the TTL asked for, and the delegation chain (the acting agent last).
 */
public record Intent(String taskId, String objective, List<String> tools, Sensitivity sensitivity, long ttlSeconds,
                     List<String> actorChain, String sourceAddress) {

    public int delegationDepth() {
        return Math.max(0, actorChain.size() - 1);
    }
}
