package dev.ephemera.server.agent;

import java.time.Instant;

/**
 * A registered non-human identity. The owner is the accountable human; the workload identity
 * binding ({@code issuer}, {@code subject}) is how the agent proves itself — there is no password.
 */
public record Agent(String id, String tenant, String owner, String purpose, String issuer, String subject,
                    AgentStatus status, Instant registeredAt) {

    public enum AgentStatus { ACTIVE, SUSPENDED, OFFBOARDED }
}
