package dev.ephemera.server.api;

import dev.ephemera.lease.Grant;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseRequest;
import dev.ephemera.server.agent.Agent;
import dev.ephemera.server.agent.AgentRegistry;
import dev.ephemera.server.approval.Approval;
import dev.ephemera.server.approval.Approvals;
import dev.ephemera.server.policy.Decision;
import dev.ephemera.server.policy.DecisionLog;
import dev.ephemera.server.quota.LeaseQuota;
import dev.ephemera.server.quota.RateLimits;
import dev.ephemera.server.task.Task;
import dev.ephemera.server.task.TaskService;
import dev.ephemera.storage.Batch;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * What every lease a task takes goes through once policy has permitted it — a backend role, a
 * library check-out, a proxy route: held for approval when the permit asks for one (202), else
 * granted with the permit written in the lease's own batch (201).
 */
@Singleton
final class TaskLeases {
    private final LeaseEngine engine;
    private final TaskService tasks;
    private final RateLimits rates;
    private final Callers callers;
    private final AgentRegistry agents;
    private final Approvals approvals;
    private final DecisionLog decisions;
    private final LeaseQuota quota;
    private final InstantSource clock;

    TaskLeases(LeaseEngine engine, TaskService tasks, RateLimits rates, Callers callers, AgentRegistry agents, Approvals approvals,
               DecisionLog decisions, LeaseQuota quota, InstantSource clock) {
        this.engine = engine;
        this.tasks = tasks;
        this.rates = rates;
        this.callers = callers;
        this.agents = agents;
        this.approvals = approvals;
        this.decisions = decisions;
        this.quota = quota;
        this.clock = clock;
    }

    /** The calling task, active, with one request of its rate spent: where every lease-taking call starts. */
    Task callingTask(String authorization) {
        Task task = tasks.requireActive(callers.task(authorization).taskId());
        rates.acquire(new RateLimits.Scopes(task.tenant(), task.agentId(), task.id()));
        return task;
    }

    /** Refuses a target outside the roles the task declared ({@code backend/name}). */
    static void requireDeclared(Task task, String backend, String name, String what) {
        if (!task.allowsRole(backend, name)) {
            throw ApiException.forbidden(what + " " + (what.equals("role") ? backend + "/" : "") + name
                    + " is outside the roles task " + task.id() + " declared");
        }
    }

    /** The TTL asked for, or the target's default; refused past the target's maximum. */
    static Duration ttl(Object asked, Duration defaultTtl, Duration maxTtl, String what) {
        Duration requested = Durations.parse("ttl", asked);
        Duration ttl = requested == null ? defaultTtl : requested;
        if (ttl.compareTo(maxTtl) > 0) {
            throw ApiException.invalid("ttl (" + ttl.toSeconds() + "s) exceeds the " + what + "'s max_ttl (" + maxTtl.toSeconds() + "s)");
        }
        return ttl;
    }

    /** The agent behind a task, refused unless it may still act. */
    Agent actingAgent(Task task) {
        Agent agent = agents.find(task.tenant(), task.agentId())
                .orElseThrow(() -> ApiException.forbidden("the task's agent is no longer registered"));
        agents.requireMayAct(agent);
        return agent;
    }

    /** The lease ends by {@code roleMaxTtl} from now and never after the task. */
    HttpResponse<?> grant(Task task, Agent agent, Decision.Permit permit, String backend, String role, Duration ttl,
                          Duration roleMaxTtl, String approvalId) {
        Approval approval = null;
        if (permit.approval().required()) {
            if (approvalId == null) {
                // Held, not granted: the agent waits on the approval, then asks again naming it.
                decisions.keep(permit);
                Approval held = approvals.request(task, agent.owner(), backend, role, ttl, permit);
                return HttpResponse.accepted().body(Dtos.ApprovalView.of(held, clock.instant()));
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
        return HttpResponse.created(Dtos.LeaseView.of(grant.lease(), grant.credential()));
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
