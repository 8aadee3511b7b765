package dev.ephemera.server.agent;

import java.time.Instant;
import java.util.List;

/**
 * A registered non-human identity of one tenant. The owner is the accountable human; the workload
 * identity binding ({@code issuer}, {@code subject}) is how the agent proves itself — there is no
 * password. {@code tools} bounds what its tasks may declare (empty: no bound); the
 * {@code manifestDigest} pins its model, prompt and toolchain, and a different one presented
 * waits in {@code pendingManifestDigest} for an admin.
 */
public record Agent(String id, String tenant, String owner, String purpose, String issuer, String subject,
                    AgentStatus status, Instant registeredAt, Instant expiresAt, List<String> tools,
                    String manifestDigest, String pendingManifestDigest, String statusReason) {

    /** registered -> active -> suspended (-> active again) -> offboarded, which is final. */
    public enum AgentStatus { REGISTERED, ACTIVE, SUSPENDED, OFFBOARDED }

    public Agent {
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    Agent withStatus(AgentStatus next, String reason) {
        return new Agent(id, tenant, owner, purpose, issuer, subject, next, registeredAt, expiresAt, tools,
                manifestDigest, pendingManifestDigest, reason);
    }

    Agent withManifest(String approved, String pending) {
        return new Agent(id, tenant, owner, purpose, issuer, subject, status, registeredAt, expiresAt, tools,
                approved, pending, statusReason);
    }
}
