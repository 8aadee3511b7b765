package dev.ephemera.server.domain.agent;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.auth.IssuerTenants;
import dev.ephemera.server.domain.auth.VerifiedWorkload;
import dev.ephemera.server.domain.auth.WorkloadTokens;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Registers agents per tenant and finds the agent a verified workload token belongs to. Agents live
 * under their tenant ({@code agent/{tenant}/{id}}): the same id in two tenants names two agents, and
 * no tenant can read or overwrite another's. A tenant binds only workload identities an operator
 * assigned to it ({@link IssuerTenants}).
 */
@Singleton
public final class AgentRegistry {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int MAX_TOOLS = 64;

    /** Where a workload identity points: identities are global, agents are per tenant. */
    record Binding(String tenant, String agentId) {}

    /** What an admin states when registering or updating an agent. */
    public record Registration(String owner, String purpose, String issuer, String subject, List<String> tools,
                               String manifestDigest, Instant expiresAt, Integer trustLevel) {}

    private final Documents documents;
    private final WorkloadTokens workloadTokens;
    private final IssuerTenants issuerTenants;
    private final InstantSource clock;

    AgentRegistry(Documents documents, WorkloadTokens workloadTokens, IssuerTenants issuerTenants, InstantSource clock) {
        this.documents = documents;
        this.workloadTokens = workloadTokens;
        this.issuerTenants = issuerTenants;
        this.clock = clock;
    }

    /**
     * Registers a new agent (status {@code registered}: it cannot act until activated) or updates an
     * existing one's description, keeping its status. An offboarded agent stays offboarded.
     */
    public synchronized Agent register(String tenant, String id, Registration r) {
        Names.require("agent id", id);
        String owner = required(r.owner(), "owner");
        String purpose = required(r.purpose(), "purpose");
        required(r.issuer(), "issuer");
        required(r.subject(), "subject");
        if (owner.equalsIgnoreCase(id) || owner.equals(r.subject())) {
            throw DomainException.invalid("the owner must be a human sponsor, not the agent itself");
        }
        if (r.manifestDigest() != null && !DIGEST.matcher(r.manifestDigest()).matches()) {
            throw DomainException.invalid("manifest_digest must be sha256: followed by 64 lowercase hex digits");
        }
        List<String> tools = r.tools() == null ? List.of() : r.tools().stream().distinct().toList();
        if (tools.size() > MAX_TOOLS) {
            throw DomainException.invalid("at most " + MAX_TOOLS + " tools may be registered");
        }
        tools.forEach(tool -> Names.require("tool", tool));
        if (r.trustLevel() != null && (r.trustLevel() < 0 || r.trustLevel() > 3)) {
            throw DomainException.invalid("trust_level must be 0 to 3");
        }
        Instant now = clock.instant();
        if (r.expiresAt() != null && !r.expiresAt().isAfter(now)) {
            throw DomainException.invalid("expires_at is in the past");
        }
        if (workloadTokens.issuers().stream().noneMatch(i -> i.name().equals(r.issuer()))) {
            throw DomainException.invalid("no issuer named '" + r.issuer() + "'");
        }
        byte[] bindingKey = bindingKey(r.issuer(), r.subject());
        Optional<Binding> bound = documents.get(bindingKey, Binding.class);
        // One answer for an identity of another tenant, bound or not, and one nobody has: nothing to squat, nothing to probe.
        if (!issuerTenants.owner(r.issuer(), r.subject()).filter(tenant::equals).isPresent()
                || bound.filter(other -> !other.tenant().equals(tenant)).isPresent()) {
            throw DomainException.forbidden("that workload identity of issuer '" + r.issuer() + "' is not assigned to this tenant: "
                    + "an operator assigns tenants the subject prefixes of an issuer (PUT /v1/issuers/{name}/tenants/{tenant})");
        }
        if (bound.isPresent() && !bound.get().agentId().equals(id)) {
            throw DomainException.conflict("that workload identity is already bound to agent " + bound.get().agentId());
        }
        Optional<Agent> existing = find(tenant, id);
        if (existing.map(Agent::status).orElse(null) == Agent.AgentStatus.OFFBOARDED) {
            throw DomainException.conflict("agent " + id + " is offboarded, which is final: register a new id");
        }
        Agent agent = new Agent(id, tenant, owner, purpose, r.issuer(), r.subject(),
                existing.map(Agent::status).orElse(Agent.AgentStatus.REGISTERED),
                existing.map(Agent::registeredAt).orElse(now), r.expiresAt(), tools,
                r.manifestDigest(), existing.map(Agent::pendingManifestDigest).orElse(null),
                existing.map(Agent::statusReason).orElse(null), r.trustLevel());
        Batch batch = Batch.create()
                .put(agentKey(tenant, id), documents.encode(agent))
                .put(bindingKey, documents.encode(new Binding(tenant, id)));
        existing.filter(old -> !old.issuer().equals(r.issuer()) || !old.subject().equals(r.subject()))
                .ifPresent(old -> batch.delete(bindingKey(old.issuer(), old.subject())));
        documents.write(batch);
        return agent;
    }

    public Optional<Agent> find(String tenant, String id) {
        try {
            return documents.get(agentKey(tenant, Names.require("agent id", id)), Agent.class);
        } catch (DomainException malformed) {
            return Optional.empty();
        }
    }

    /** An agent of this tenant, or a 404 that says nothing of other tenants. */
    public Agent require(String tenant, String id) {
        return find(tenant, id).orElseThrow(() -> DomainException.notFound("no agent " + id));
    }

    void save(Agent agent) {
        documents.put(agentKey(agent.tenant(), agent.id()), agent);
    }

    /** The identities of an issuer bound to agents of any tenant: an operator's reassignment must not strand them. */
    public List<IssuerTenants.Bound> boundTo(String issuer) {
        return documents.list(Keys.prefix("agent"), Agent.class).stream().filter(agent -> agent.issuer().equals(issuer))
                .map(agent -> new IssuerTenants.Bound(agent.tenant(), agent.issuer(), agent.subject())).toList();
    }

    /** Ids of the tenant's agents sponsored by this owner (compared ignoring case). */
    public Set<String> idsOwnedBy(String tenant, String owner) {
        return documents.list(Keys.prefix("agent", tenant), Agent.class).stream()
                .filter(agent -> agent.owner().equalsIgnoreCase(owner.strip()))
                .map(Agent::id)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The agent bound to this workload identity, refused (403 with the reason) unless it may act. */
    public Agent authenticate(VerifiedWorkload workload) {
        Agent agent = documents.get(bindingKey(workload.issuerName(), workload.subject()), Binding.class)
                .flatMap(binding -> find(binding.tenant(), binding.agentId()))
                .orElseThrow(() -> DomainException.forbidden("no agent is registered for this workload identity"));
        requireMayAct(agent);
        return agent;
    }

    /** Active, not expired, no manifest change awaiting approval; otherwise a 403 that says which. */
    public void requireMayAct(Agent agent) {
        if (agent.status() != Agent.AgentStatus.ACTIVE) {
            throw DomainException.forbidden("agent " + agent.id() + " is " + agent.status().name().toLowerCase(java.util.Locale.ROOT)
                    + (agent.status() == Agent.AgentStatus.REGISTERED ? " but not yet activated by an admin" : ""));
        }
        if (agent.expiredAt(clock.instant())) {
            throw DomainException.forbidden("agent " + agent.id() + "'s registration expired at " + agent.expiresAt());
        }
        if (agent.pendingManifestDigest() != null) {
            throw DomainException.forbidden("agent " + agent.id() + " presented a new manifest digest; an admin must approve "
                    + agent.pendingManifestDigest() + " before it may act again");
        }
    }

    private static byte[] agentKey(String tenant, String id) {
        return Keys.of("agent", tenant, id);
    }

    /** Subjects are URIs such as SPIFFE IDs, so they are encoded before becoming a key part. */
    private static byte[] bindingKey(String issuer, String subject) {
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(subject.getBytes(StandardCharsets.UTF_8));
        return Keys.of("agent-identity", issuer, encoded);
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw DomainException.invalid(field + " is required");
        }
        return value.strip();
    }
}
