package dev.ephemera.lease;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live leases counted per task, per agent and per tenant: a lease counts from its grant (or its
 * recovery at start) until its revocation is confirmed or forced. Counters, not per-lease entries,
 * so a million leases cost as many counters as there are tasks, agents and tenants.
 */
final class LeaseCounts {
    /** Which bound a refused grant hit, and how many leases were live in that scope. */
    record Refusal(String scope, int live, int limit) {}

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** Counts the lease if every scope stays within its limit; otherwise counts nothing and says which limit. */
    synchronized Refusal tryAdd(String tenant, String agent, String task, LiveLimits limits) {
        String[] keys = keys(tenant, agent, task);
        int[] bounds = {limits.perTask(), limits.perAgent(), limits.perTenant()};
        String[] names = {"task " + task, "agent " + agent, "tenant " + tenant};
        for (int i = 0; i < keys.length; i++) {
            int live = counts.getOrDefault(keys[i], 0);
            if (live >= bounds[i]) {
                return new Refusal(names[i], live, bounds[i]);
            }
        }
        for (String key : keys) {
            counts.merge(key, 1, Integer::sum);
        }
        return null;
    }

    /** A live lease found at recovery. */
    synchronized void add(Lease lease) {
        for (String key : keys(lease.tenant(), lease.agentId(), lease.taskId())) {
            counts.merge(key, 1, Integer::sum);
        }
    }

    /** A lease no longer live; a scope that reaches zero is forgotten. */
    void remove(Lease lease) {
        remove(lease.tenant(), lease.agentId(), lease.taskId());
    }

    /** A grant that never became a lease gives its count back. */
    synchronized void remove(String tenant, String agent, String task) {
        for (String key : keys(tenant, agent, task)) {
            counts.computeIfPresent(key, (k, live) -> live <= 1 ? null : live - 1);
        }
    }

    int ofTask(String task) {
        return counts.getOrDefault("k\u0000" + task, 0);
    }

    int ofAgent(String tenant, String agent) {
        return counts.getOrDefault("a\u0000" + tenant + "\u0000" + agent, 0);
    }

    int ofTenant(String tenant) {
        return counts.getOrDefault("t\u0000" + tenant, 0);
    }

    private static String[] keys(String tenant, String agent, String task) {
        return new String[] {"k\u0000" + task, "a\u0000" + tenant + "\u0000" + agent, "t\u0000" + tenant};
    }
}
