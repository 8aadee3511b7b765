package dev.ephemera.legacy.proxy;

/**
 * Whose connection a proxy is carrying, as the vault established it from the lease token the agent
 * presented: the route it leased, and the lease, task and agent every audit record names.
 */
public record ProxyLease(String tenant, String taskId, String agentId, String leaseId, String route) {
}
