package dev.ephemera.server.domain.lease;

import dev.ephemera.lease.Grant;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseRequest;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.Intent;
import dev.ephemera.server.domain.quota.LeaseQuota;
import dev.ephemera.server.domain.quota.RateLimits;
import dev.ephemera.server.domain.task.Task;
import dev.ephemera.server.domain.task.TaskService;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.storage.Batch;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Function;

/**
 * What every lease a task takes goes through once policy has permitted it — a backend role, a
 * library check-out, a proxy route: held for approval when the permit asks for one, else granted
 * with the permit written in the lease's own batch.
 */
@Singleton
public final class TaskLeases {

    /** What asking for a lease came to. */
    public sealed interface Outcome {
        /** Granted: the lease is durable and its credential exists. */
        record Granted(Grant grant) implements Outcome {
        }

        /** Held until a person approves; the agent asks again naming the approval. */
        record Held(Approval approval, Instant at) implements Outcome {
        }
    }

    private final LeaseEngine engine;
    private final TaskService tasks;
    private final RateLimits rates;
    private final AgentRegistry agents;
    private final Approvals approvals;
    private final DecisionLog decisions;
    private final LeaseQuota quota;
    private final InstantSource clock;

    TaskLeases(LeaseEngine engine, TaskService tasks, RateLimits rates, AgentRegistry agents, Approvals approvals,
               DecisionLog decisions, LeaseQuota quota, InstantSource clock) {
        this.engine = engine;
        this.tasks = tasks;
        this.rates = rates;
        this.agents = agents;
        this.approvals = approvals;
        this.decisions = decisions;
        this.quota = quota;
        this.clock = clock;
    }

    /**
     * What a task asks to lease — a backend's role, a library or a proxy route ({@code config}) — as
     * the backend that issues it, its name, its kind in messages, and its TTL bounds.
     */
    public record Target<C>(C config, String backend, String name, String kind, Duration defaultTtl, Duration maxTtl) {
    }

    /** The policy question a kind of target asks. */
    @FunctionalInterface
    public interface Permits<C> {
        Decision.Permit decide(Agent agent, Target<C> target, Intent intent);
    }

    /**
     * Everything a task's lease goes through, in order: the calling task active and within its rate,
     * the target (looked up in the task's tenant) declared by the task, the TTL within the target's
     * bounds, an agent that may still act, policy, then approval or grant.
     */
    public <C> Outcome take(String taskId, Function<Task, Target<C>> target, Object askedTtl, String sourceAddress,
                            String approvalId, Permits<C> permits) {
        Task task = callingTask(taskId);
        Target<C> wanted = target.apply(task);
        requireDeclared(task, wanted);
        Duration ttl = ttl(askedTtl, wanted);
        Agent agent = actingAgent(task);
        Decision.Permit permit = permits.decide(agent, wanted, task.intent(ttl, sourceAddress));
        return grant(task, agent, permit, wanted.backend(), wanted.name(), ttl, wanted.maxTtl(), approvalId);
    }

    /** The calling task, active, with one request of its rate spent: where every lease-taking call starts. */
    private Task callingTask(String taskId) {
        Task task = tasks.requireActive(taskId);
        rates.acquire(new RateLimits.Scopes(task.tenant(), task.agentId(), task.id()));
        return task;
    }

    /** Refuses a target outside the roles the task declared ({@code backend/name}). */
    private static void requireDeclared(Task task, Target<?> target) {
        String what = target.kind();
        if (!task.allowsRole(target.backend(), target.name())) {
            throw DomainException.forbidden(what + " " + (what.equals("role") ? target.backend() + "/" : "") + target.name()
                    + " is outside the roles task " + task.id() + " declared");
        }
    }

    /** The TTL asked for, or the target's default; refused past the target's maximum. */
    private static Duration ttl(Object asked, Target<?> target) {
        Duration requested = Durations.parse("ttl", asked);
        Duration ttl = requested == null ? target.defaultTtl() : requested;
        if (ttl.compareTo(target.maxTtl()) > 0) {
            throw DomainException.invalid("ttl (" + ttl.toSeconds() + "s) exceeds the " + target.kind() + "'s max_ttl ("
                    + target.maxTtl().toSeconds() + "s)");
        }
        return ttl;
    }

    /** The agent behind a task, refused unless it may still act. */
    public Agent actingAgent(Task task) {
        Agent agent = agents.find(task.tenant(), task.agentId())
                .orElseThrow(() -> DomainException.forbidden("the task's agent is no longer registered"));
        agents.requireMayAct(agent);
        return agent;
    }

    /** The lease ends by {@code roleMaxTtl} from now and never after the task. */
    private Outcome grant(Task task, Agent agent, Decision.Permit permit, String backend, String role, Duration ttl,
                         Duration roleMaxTtl, String approvalId) {
        Approval approval = null;
        if (permit.approval().required()) {
            if (approvalId == null) {
                // Held, not granted: the agent waits on the approval, then asks again naming it.
                decisions.keep(permit);
                return new Outcome.Held(approvals.request(task, agent.owner(), backend, role, ttl, permit), clock.instant());
            }
            approval = approvals.redeem(task, approvalId, backend, role, ttl);
            permit = permit.approvedBy(approval.id());
        }
        Instant roleCap = clock.instant().plus(roleMaxTtl);
        Instant notAfter = roleCap.isBefore(task.expiresAt()) ? roleCap : task.expiresAt();
        Grant grant;
        try {
            // The permit is written with the lease, before the credential exists.
            grant = engine.grant(new LeaseRequest(task.tenant(), task.agentId(), task.id(), backend, role, ttl, notAfter,
                    decisions.addTo(Batch.create(), permit), quota.limits(), () -> stillActive(task.id())));
        } catch (RuntimeException e) {
            try {
                if (approval != null) {
                    approvals.release(approval);
                }
                decisions.keep(permit); // no lease came of it, but the decision was taken
            } catch (RuntimeException storageDown) {
                e.addSuppressed(storageDown);
            }
            throw e;
        }
        return new Outcome.Granted(grant);
    }

    /**
     * Asked once the lease is durable: a task that ended after {@link #callingTask} looked at it has
     * already listed its leases for revocation, without this one.
     */
    private String stillActive(String taskId) {
        Task.TaskState state = tasks.find(taskId).map(t -> t.stateAt(clock.instant())).orElse(Task.TaskState.ENDED);
        return state == Task.TaskState.ACTIVE ? null : "task " + taskId + " has " + (state == Task.TaskState.EXPIRED ? "expired" : "ended");
    }
}
