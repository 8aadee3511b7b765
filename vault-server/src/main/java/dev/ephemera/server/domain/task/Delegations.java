package dev.ephemera.server.domain.task;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.TokenRecord;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.Intent;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.policy.Sensitivity;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Delegation in two steps, so that authority is never handed over as a bearer token: a task offers
 * a sub-task to a named, registered sub-agent (a policy decision of its own, scope at most the
 * parent's: tools, sensitivity, roles, lifetime; depth bounded), and receives a one-time offer
 * token; the sub-agent redeems it with its own workload identity and gets a task whose actor chain
 * records every agent above it. Ending the parent ends the sub-task.
 */
@Singleton
public final class Delegations {
    private static final Duration OFFER_TTL = Duration.ofMinutes(5);

    /** What a task asks to delegate. */
    public record Ask(String objective, Duration ttl, List<String> tools, Sensitivity sensitivity, List<String> roles) {}

    /** An offer as stored: the sub-task's settled scope, until the sub-agent redeems it once. */
    record Offer(String id, String tenant, String parentTaskId, String delegatorId, String agentId, String objective,
                 List<String> tools, Sensitivity sensitivity, List<String> roles, Instant taskExpiresAt,
                 Instant offerExpiresAt, String decisionId, boolean redeemed) {
        Offer redeemedNow() {
            return new Offer(id, tenant, parentTaskId, delegatorId, agentId, objective, tools, sensitivity, roles,
                    taskExpiresAt, offerExpiresAt, decisionId, true);
        }
    }

    /** What the delegating task gets back: the token to hand to the sub-agent, and until when it can be redeemed. */
    public record Offered(String delegationId, String token, String agentId, Instant offerExpiresAt, Instant taskExpiresAt,
                          List<String> actorChain) {
        @Override
        public String toString() {
            return "Offered[delegationId=" + delegationId + ", agentId=" + agentId + "]";
        }
    }

    private final Documents documents;
    private final Tokens tokens;
    private final PolicyDecider policy;
    private final DecisionLog decisions;
    private final TaskService tasks;
    private final InstantSource clock;
    private final int maxDepth;

    Delegations(Documents documents, Tokens tokens, PolicyDecider policy, DecisionLog decisions, TaskService tasks,
                InstantSource clock, DelegationConfiguration configuration) {
        this.documents = documents;
        this.tokens = tokens;
        this.policy = policy;
        this.decisions = decisions;
        this.tasks = tasks;
        this.clock = clock;
        this.maxDepth = configuration.maxDepth();
    }

    /** Offers a sub-task of {@code parent} to {@code subAgent}; refuses anything wider than the parent. */
    public Offered offer(Task parent, Agent delegator, Agent subAgent, Ask ask, String sourceAddress) {
        if (subAgent.id().equals(delegator.id())) {
            throw DomainException.invalid("a task delegates to another agent; this one can do the work in its own task");
        }
        if (parent.depth() + 1 > maxDepth) {
            throw DomainException.forbidden("delegation depth " + (parent.depth() + 1) + " exceeds the limit of " + maxDepth);
        }
        TaskService.Opening opening = new TaskService.Opening(ask.objective(), ask.ttl(), ask.tools(), ask.sensitivity(),
                ask.roles(), sourceAddress);
        List<String> tools = TaskService.tools(opening);
        tools.stream().filter(tool -> !parent.tools().contains(tool)).findFirst().ifPresent(tool -> {
            throw DomainException.forbidden("a sub-task cannot declare tool '" + tool + "', which its parent did not");
        });
        if (!subAgent.tools().isEmpty()) {
            tools.stream().filter(tool -> !subAgent.tools().contains(tool)).findFirst().ifPresent(tool -> {
                throw DomainException.forbidden("tool '" + tool + "' is not among agent " + subAgent.id() + "'s registered tools");
            });
        }
        Sensitivity sensitivity = ask.sensitivity() == null ? parent.sensitivity() : ask.sensitivity();
        if (sensitivity.compareTo(parent.sensitivity()) > 0) {
            throw DomainException.forbidden("a sub-task cannot handle " + sensitivity.label() + " data when its parent declared "
                    + parent.sensitivity().label());
        }
        List<String> roles = TaskService.roles(opening);
        if (!parent.roles().isEmpty()) {
            roles.stream().filter(role -> !parent.roles().contains(role)).findFirst().ifPresent(role -> {
                throw DomainException.forbidden("a sub-task cannot lease role " + role + ", which its parent did not declare");
            });
            roles = roles.isEmpty() ? parent.roles() : roles;
        }
        Instant now = clock.instant();
        Instant taskExpiresAt = ask.ttl() == null ? parent.expiresAt() : now.plus(ask.ttl());
        if (taskExpiresAt.isAfter(parent.expiresAt())) {
            throw DomainException.forbidden("a sub-task cannot outlive its parent, which expires at " + parent.expiresAt());
        }
        List<String> chain = new ArrayList<>(parent.actorChain());
        chain.add(subAgent.id());
        Intent intent = new Intent(parent.id(), opening.objective(), tools, sensitivity,
                Duration.between(now, taskExpiresAt).toSeconds(), chain, sourceAddress);
        Decision.Permit permit = policy.permitDelegation(delegator, subAgent, intent);
        Instant offerExpiresAt = now.plus(OFFER_TTL).isBefore(taskExpiresAt) ? now.plus(OFFER_TTL) : taskExpiresAt;
        Offer offer = new Offer(SecretGenerator.identifier("dlg_"), parent.tenant(), parent.id(), delegator.id(), subAgent.id(),
                intent.objective(), tools, sensitivity, roles, taskExpiresAt, offerExpiresAt, permit.id(), false);
        String token = tokens.newDelegationToken();
        documents.write(decisions.addTo(Batch.create()
                .put(Keys.of("delegation", offer.id()), documents.encode(offer))
                .put(tokens.recordKey(token), documents.encode(
                        new TokenRecord(TokenRecord.Kind.DELEGATION, offer.id(), offer.tenant(), offerExpiresAt))), permit));
        return new Offered(offer.id(), token, subAgent.id(), offerExpiresAt, taskExpiresAt, chain);
    }

    /** The sub-agent named in the offer accepts it, once, while its parent task is active. */
    public TaskService.Started redeem(Agent agent, String token, String sourceAddress) {
        TokenRecord record = tokens.delegation(token)
                .orElseThrow(() -> DomainException.unauthenticated("invalid or expired delegation token"));
        Offer offer;
        synchronized (this) {
            offer = documents.get(Keys.of("delegation", record.subject()), Offer.class)
                    .orElseThrow(() -> DomainException.unauthenticated("invalid or expired delegation token"));
            if (!offer.tenant().equals(agent.tenant()) || !offer.agentId().equals(agent.id())) {
                throw DomainException.forbidden("this delegation is offered to another agent");
            }
            if (offer.redeemed()) {
                throw DomainException.conflict("this delegation was already accepted");
            }
            documents.put(Keys.of("delegation", offer.id()), offer.redeemedNow());
        }
        Task parent = tasks.requireActive(offer.parentTaskId());
        Instant expiresAt = offer.taskExpiresAt().isBefore(parent.expiresAt()) ? offer.taskExpiresAt() : parent.expiresAt();
        return tasks.startDelegated(agent, parent, new TaskService.Opening(offer.objective(), null, offer.tools(),
                offer.sensitivity(), offer.roles(), sourceAddress), expiresAt);
    }
}
