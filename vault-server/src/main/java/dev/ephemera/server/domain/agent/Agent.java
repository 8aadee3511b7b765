package dev.ephemera.server.domain.agent;

import java.time.Instant;
import java.util.List;

/**
 * A registered non-human identity of one tenant. The owner is the accountable human; the workload
 * identity binding ({@code issuer}, {@code subject}) is how the agent proves itself — there is no
 * password. {@code tools} bounds what its tasks may declare (empty: no bound); the
 * {@code manifestDigest} pins its model, prompt and toolchain, and a different one presented
 * waits in {@code pendingManifestDigest} for an admin. {@code trustLevel} (0-3) is an admin's
 * judgement that policies may weigh.
 */
public record Agent(String id, String tenant, String owner, String purpose, String issuer, String subject,
                    AgentStatus status, Instant registeredAt, Instant expiresAt, List<String> tools,
                    String manifestDigest, String pendingManifestDigest, String statusReason, Integer trustLevel) {

    /** registered -> active -> suspended (-> active again) -> offboarded, which is final. */
    public enum AgentStatus { REGISTERED, ACTIVE, SUSPENDED, OFFBOARDED }

    public Agent {
        tools = tools == null ? List.of() : List.copyOf(tools);
        trustLevel = trustLevel == null ? DEFAULT_TRUST : trustLevel;
    }

    /** What policy sees as {@code principal.trust_level} when an admin did not say. */
    public static final int DEFAULT_TRUST = 1;

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    Agent withStatus(AgentStatus next, String reason) {
        return new Agent(id, tenant, owner, purpose, issuer, subject, next, registeredAt, expiresAt, tools,
                manifestDigest, pendingManifestDigest, reason, trustLevel);
    }

    Agent withManifest(String approved, String pending) {
        return new Agent(id, tenant, owner, purpose, issuer, subject, status, registeredAt, expiresAt, tools,
                approved, pending, statusReason, trustLevel);
    }
}
