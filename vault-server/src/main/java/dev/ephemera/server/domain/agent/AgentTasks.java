package dev.ephemera.server.domain.agent;

/**
 * What an agent's lifecycle needs of its tasks: that all of them end. Declared here and implemented
 * by the task service, so that agents depend on no task code while tasks depend on agents.
 */
public interface AgentTasks {

    /** How many tasks were ended, and how many leases are being revoked with them. */
    record Ended(int tasks, int leasesRevoking) {}

    /**
     * Ends every task the agent still has (and every task delegated from them) and revokes their
     * leases, without waiting for the backends: an offboarding must not stall on one.
     */
    Ended endAllOf(String tenant, String agentId);
}
