package dev.ephemera.server.domain.policy;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.IpAddress;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.core.DomainException;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the tenant's Cedar policies whether an agent may do something, at the moment it asks.
 * Default deny: no policy set, no matching permit, an evaluation error or a
 * failure of the engine all deny. Only the parsed policy set is cached; every request is evaluated
 * with its own context.
 */
@Singleton
public final class PolicyDecider {
    private static final Logger log = LoggerFactory.getLogger(PolicyDecider.class);
    private static final EntityTypeName TENANT = type("Ephemera::Tenant");
    private static final EntityTypeName AGENT = type("Ephemera::Agent");
    private static final EntityTypeName BACKEND = type("Ephemera::Backend");
    private static final EntityTypeName ROLE = type("Ephemera::Role");
    private static final EntityTypeName LIBRARY = type("Ephemera::Library");
    private static final EntityTypeName ACTION = type("Ephemera::Action");

    private final TenantPolicies policies;
    private final DecisionLog decisions;
    private final InstantSource clock;
    private final BasicAuthorizationEngine cedar = new BasicAuthorizationEngine();
    private final AtomicLong lastMicros = new AtomicLong();

    public PolicyDecider(TenantPolicies policies, DecisionLog decisions, InstantSource clock) {
        this.policies = policies;
        this.decisions = decisions;
        this.clock = clock;
    }

    /**
     * May the agent open a task with this intent? The resource is the agent's tenant. A deny is kept
     * at once and refused with a 403; a permit is returned for the caller to write with the task.
     */
    public Decision.Permit permitStartTask(Agent agent, Intent intent) {
        return permitted(startTask(agent, intent));
    }

    /** May the agent lease (or renew a lease of) this backend role within its task? As above. */
    public Decision.Permit permitRole(PolicyAction action, Agent agent, String backend, String role, Intent intent) {
        return permitted(role(action, agent, backend, role, intent));
    }

    /** May the agent delegate this sub-task to that sub-agent? Kept and refused as above. */
    public Decision.Permit permitDelegation(Agent agent, Agent subAgent, Intent subTask) {
        Entity resource = agentEntity(subAgent);
        return permitted(decide(PolicyAction.DELEGATE, agent, resource, Set.of(resource), "agent " + subAgent.id(), subTask));
    }

    /** May the agent check out an account of this library (of {@code accounts} escrowed secrets)? As above. */
    public Decision.Permit permitCheckOut(Agent agent, String library, int accounts, Intent intent) {
        Entity resource = new Entity(LIBRARY.of(library), Map.of("name", new PrimString(library), "accounts",
                new PrimLong(accounts)), Set.of(TENANT.of(agent.tenant())));
        return permitted(decide(PolicyAction.CHECK_OUT, agent, resource, Set.of(resource), "library " + library, intent));
    }

    /** Evaluates without keeping anything: the caller keeps the decision. */
    public Decision startTask(Agent agent, Intent intent) {
        Entity tenant = new Entity(TENANT.of(agent.tenant()));
        return decide(PolicyAction.START_TASK, agent, tenant, Set.of(tenant), "tenant " + agent.tenant(), intent);
    }

    /** Evaluates without keeping anything: the caller keeps the decision. */
    public Decision role(PolicyAction action, Agent agent, String backend, String role, Intent intent) {
        // The tenant is named as the backend's parent, not sent as an entity: it has no attributes, and
        // every entity sent crosses JNI as JSON on each decision.
        Entity backendEntity = new Entity(BACKEND.of(backend), Map.of(), Set.of(TENANT.of(agent.tenant())));
        Entity roleEntity = new Entity(ROLE.of(backend + "/" + role),
                Map.of("backend", new PrimString(backend), "name", new PrimString(role)), Set.of(backendEntity.getEUID()));
        return decide(action, agent, roleEntity, Set.of(backendEntity, roleEntity), "role " + backend + "/" + role, intent);
    }

    private Decision.Permit permitted(Decision decision) {
        return switch (decision) {
            case Decision.Permit permit -> permit;
            case Decision.Deny deny -> {
                decisions.keep(deny);
                throw new DomainException(DomainException.Kind.FORBIDDEN, "policy_denied",
                        "denied by policy: " + deny.record().reason() + " (decision " + deny.id() + ")");
            }
        };
    }

    private Decision decide(PolicyAction action, Agent agent, Entity resource, Set<Entity> resourceEntities,
                            String resourceName, Intent intent) {
        Instant now = clock.instant();
        // Unique by its strictly increasing time; the suffix only keeps ids of separate vaults apart.
        // Not secret, so no SecureRandom (a lock shared by every thread) on the hot path.
        String id = "dec_" + sequence(now) + "_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        Outcome outcome = policies.compiled(agent.tenant())
                .map(set -> evaluate(set, action, agent, resource, resourceEntities, intent, now))
                .orElseGet(() -> new Outcome(false, 0, List.of(),
                        "tenant " + agent.tenant() + " has no policy set; an admin uploads one with PUT /v1/policies"));
        DecisionRecord record = new DecisionRecord(id, now, agent.tenant(), action.cedarName(), agent.id(), agent.owner(),
                intent.taskId(), intent.actorChain(), resourceName, intent.objective(), intent.tools(),
                intent.sensitivity().label(), intent.ttlSeconds(), intent.sourceAddress(),
                outcome.permitted() ? "permit" : "deny", outcome.policyVersion(), outcome.policyIds(), outcome.reason(),
                outcome.approval().required() ? outcome.approval().approvers() : null,
                outcome.approval().required() ? outcome.approval().excludesOwner() : null, null);
        return outcome.permitted() ? new Decision.Permit(record) : new Decision.Deny(record);
    }

    /** What Cedar said, before it becomes a record. */
    private record Outcome(boolean permitted, int policyVersion, List<String> policyIds, String reason, ApprovalRule approval) {
        Outcome(boolean permitted, int policyVersion, List<String> policyIds, String reason) {
            this(permitted, policyVersion, policyIds, reason, ApprovalRule.NONE);
        }
    }

    private Outcome evaluate(TenantPolicies.Compiled compiled, PolicyAction action, Agent agent,
                              Entity resource, Set<Entity> resourceEntities, Intent intent, Instant now) {
        Entity principal = agentEntity(agent);
        Set<Entity> entities = new java.util.HashSet<>(resourceEntities);
        if (!resource.getEUID().equals(principal.getEUID())) {
            entities.add(principal);
        }
        AuthorizationRequest request = new AuthorizationRequest(principal.getEUID(), ACTION.of(action.cedarName()),
                resource.getEUID(), Optional.of(context(intent, now)), Optional.empty(), false);
        try {
            AuthorizationResponse response = cedar.isAuthorized(request, compiled.policies(), entities);
            if (response.success.isEmpty()) {
                log.warn("policy evaluation failed for tenant {} (version {}): {}", agent.tenant(), compiled.version(),
                        response.errors.map(Object::toString).orElse("no detail"));
                return new Outcome(false, compiled.version(), List.of(), "policy evaluation failed; denied");
            }
            AuthorizationSuccessResponse success = response.success.get();
            List<String> determining = success.getReason().stream().sorted().toList();
            if (success.isAllowed()) {
                ApprovalRule approval = determining.stream().map(id -> compiled.approvals().getOrDefault(id, ApprovalRule.NONE))
                        .reduce(ApprovalRule.NONE, ApprovalRule::and);
                return new Outcome(true, compiled.version(), determining, null, approval);
            }
            String reason = determining.isEmpty()
                    ? "no policy permits " + action.cedarName() + " here"
                    : "forbidden by policy " + String.join(", ", determining);
            if (!success.getErrors().isEmpty()) {
                reason += " (" + success.getErrors().size() + " policies failed to evaluate and were skipped)";
            }
            return new Outcome(false, compiled.version(), determining, reason);
        } catch (AuthException e) {
            log.warn("policy engine failed for tenant {}: {}", agent.tenant(), TenantPolicies.cedarMessage(e));
            return new Outcome(false, compiled.version(), List.of(), "policy evaluation failed; denied");
        }
    }

    private static Entity agentEntity(Agent agent) {
        return new Entity(AGENT.of(agent.id()), Map.of(
                "owner", new PrimString(agent.owner()),
                "purpose", new PrimString(agent.purpose()),
                "manifest_digest", new PrimString(agent.manifestDigest() == null ? "" : agent.manifestDigest()),
                "trust_level", new PrimLong(agent.trustLevel())), Set.of(TENANT.of(agent.tenant())));
    }

    /** Microseconds since the epoch, strictly increasing, so a task's decisions list in the order taken. */
    private long sequence(Instant now) {
        long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        return lastMicros.accumulateAndGet(micros, (last, next) -> Math.max(last + 1, next));
    }

    private static Map<String, Value> context(Intent intent, Instant now) {
        Map<String, Value> context = new HashMap<>();
        context.put("task_id", new PrimString(intent.taskId()));
        context.put("objective", new PrimString(intent.objective()));
        context.put("tools", strings(intent.tools()));
        context.put("sensitivity", new PrimString(intent.sensitivity().label()));
        context.put("sensitivity_level", new PrimLong(intent.sensitivity().ordinal()));
        context.put("ttl_seconds", new PrimLong(intent.ttlSeconds()));
        context.put("delegation_depth", new PrimLong(intent.delegationDepth()));
        context.put("actor_chain", strings(intent.actorChain()));
        context.put("now_epoch_seconds", new PrimLong(now.getEpochSecond()));
        context.put("hour_utc", new PrimLong(now.atOffset(ZoneOffset.UTC).getHour()));
        context.put("source_ip", new IpAddress(intent.sourceAddress()));
        return context;
    }

    private static CedarList strings(List<String> values) {
        return new CedarList(values.stream().<Value>map(PrimString::new).toList());
    }

    private static EntityTypeName type(String name) {
        return EntityTypeName.parse(name).orElseThrow();
    }
}
