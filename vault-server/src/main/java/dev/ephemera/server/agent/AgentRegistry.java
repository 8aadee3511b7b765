package dev.ephemera.server.agent;

import dev.ephemera.server.api.ApiException;
import dev.ephemera.server.api.Names;
import dev.ephemera.server.auth.VerifiedWorkload;
import dev.ephemera.server.auth.WorkloadTokens;
import dev.ephemera.server.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;

/** Registers agents and finds the agent a verified workload token belongs to. */
@Singleton
public final class AgentRegistry {
    private final Documents documents;
    private final WorkloadTokens workloadTokens;
    private final InstantSource clock;

    AgentRegistry(Documents documents, WorkloadTokens workloadTokens, InstantSource clock) {
        this.documents = documents;
        this.workloadTokens = workloadTokens;
        this.clock = clock;
    }

    public Agent register(String id, String tenant, String owner, String purpose, String issuer, String subject) {
        Names.require("agent id", id);
        require(owner, "owner");
        require(purpose, "purpose");
        require(issuer, "issuer");
        require(subject, "subject");
        if (owner.strip().equalsIgnoreCase(id) || owner.strip().equals(subject)) {
            throw ApiException.invalid("the owner must be a human sponsor, not the agent itself");
        }
        if (workloadTokens.issuers().stream().noneMatch(i -> i.name().equals(issuer))) {
            throw ApiException.invalid("no issuer named '" + issuer + "'");
        }
        byte[] bindingKey = bindingKey(issuer, subject);
        Optional<String> bound = documents.get(bindingKey, String.class);
        if (bound.isPresent() && !bound.get().equals(id)) {
            throw ApiException.conflict("that workload identity is already bound to another agent");
        }
        Optional<Agent> existing = find(id);
        Agent agent = new Agent(id, tenant, owner.strip(), purpose.strip(), issuer, subject,
                existing.map(Agent::status).orElse(Agent.AgentStatus.ACTIVE),
                existing.map(Agent::registeredAt).orElse(clock.instant()));
        Batch batch = Batch.create()
                .put(Keys.of("agent", id), documents.encode(agent))
                .put(bindingKey, documents.encode(id));
        existing.filter(old -> !old.issuer().equals(issuer) || !old.subject().equals(subject))
                .ifPresent(old -> batch.delete(bindingKey(old.issuer(), old.subject())));
        documents.write(batch);
        return agent;
    }

    public Optional<Agent> find(String id) {
        try {
            return documents.get(Keys.of("agent", Names.require("agent id", id)), Agent.class);
        } catch (ApiException malformed) {
            return Optional.empty();
        }
    }

    /** Ids of the tenant's agents sponsored by this owner (compared ignoring case). */
    public java.util.Set<String> idsOwnedBy(String tenant, String owner) {
        return documents.list(Keys.prefix("agent"), Agent.class).stream()
                .filter(agent -> agent.tenant().equals(tenant) && agent.owner().equalsIgnoreCase(owner.strip()))
                .map(Agent::id)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** The active agent bound to this workload identity; anything else is a 403 with a reason. */
    public Agent authenticate(VerifiedWorkload workload) {
        Agent agent = documents.get(bindingKey(workload.issuerName(), workload.subject()), String.class)
                .flatMap(this::find)
                .orElseThrow(() -> ApiException.forbidden("no agent is registered for this workload identity"));
        if (agent.status() != Agent.AgentStatus.ACTIVE) {
            throw ApiException.forbidden("agent " + agent.id() + " is " + agent.status().name().toLowerCase());
        }
        return agent;
    }

    /** Subjects are URIs such as SPIFFE IDs, so they are encoded before becoming a key part. */
    private static byte[] bindingKey(String issuer, String subject) {
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(subject.getBytes(StandardCharsets.UTF_8));
        return Keys.of("agent-identity", issuer, encoded);
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field + " is required");
        }
    }
}
