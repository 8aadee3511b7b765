package dev.ephemera.server.domain.auth;

/** Who is calling, as established from the request's bearer token. */
public sealed interface Principal {
    String tenant();

    /**
     * A tenant's administrator. An operator administers its own tenant and, beyond it, what tenants
     * share: backends, their roles, workload token issuers, and other tenants' admin tokens.
     */
    record Admin(String name, String tenant, boolean operator) implements Principal {}

    record TaskHolder(String taskId, String tenant) implements Principal {}

    /** A legacy application that reads the escrowed secret its consumer grant names, and nothing else. */
    record Consumer(String consumerId, String tenant) implements Principal {}
}
