package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.agent.AgentLifecycle;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.WorkloadTokens;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.Sensitivity;
import dev.ephemera.server.domain.quota.RateLimits;
import dev.ephemera.server.domain.task.Delegations;
import dev.ephemera.server.domain.task.Task;
import dev.ephemera.server.domain.task.TaskService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.InstantSource;

/** Agents open tasks with their workload token, then act with the task token they get back. */
@Controller("/v1/tasks")
@ExecuteOn(TaskExecutors.BLOCKING)
final class TaskController {
    private static final java.util.regex.Pattern TASK_ID = java.util.regex.Pattern.compile("task_[0-9a-z]{1,40}");

    private final WorkloadTokens workloadTokens;
    private final DecisionLog decisions;
    private final AgentRegistry agents;
    private final AgentLifecycle lifecycle;
    private final RateLimits rates;
    private final Delegations delegations;
    private final TaskService tasks;
    private final InstantSource clock;

    TaskController(WorkloadTokens workloadTokens, AgentRegistry agents, AgentLifecycle lifecycle, TaskService tasks,
                   DecisionLog decisions, RateLimits rates, Delegations delegations, InstantSource clock) {
        this.delegations = delegations;
        this.rates = rates;
        this.lifecycle = lifecycle;
        this.decisions = decisions;
        this.workloadTokens = workloadTokens;
        this.agents = agents;
        this.tasks = tasks;
        this.clock = clock;
    }

    @CalledBy(CalledBy.Caller.WORKLOAD)
    @Post
    HttpResponse<Dtos.TaskView> start(HttpRequest<?> request, @Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                      @Body Dtos.StartTask body) {
        // Over mutual TLS without a bearer token, the client certificate (an X.509-SVID) is the identity.
        var svid = authorization == null ? Callers.clientChain(request) : java.util.List.<java.security.cert.X509Certificate>of();
        var agent = agents.authenticate(!svid.isEmpty()
                ? workloadTokens.verify(svid)
                : workloadTokens.verify(Callers.bearer(authorization)));
        rates.acquire(new RateLimits.Scopes(agent.tenant(), agent.id(), null));
        lifecycle.admitTask(agent, body.manifestDigest(), body.tools());
        var started = body.delegationToken() != null
                ? delegations.redeem(agent, body.delegationToken(), Callers.sourceAddress(request))
                : tasks.start(agent, new TaskService.Opening(body.objective(), Durations.parse("ttl", body.ttl()),
                        body.tools(), Sensitivity.parse(body.sensitivity()), body.roles(), Callers.sourceAddress(request)));
        return HttpResponse.created(Dtos.TaskView.of(started.task(), clock.instant(), started.token()));
    }

    /**
     * Offers a sub-task to another registered agent of the tenant. The answer holds a one-time
     * delegation token for the sub-agent, which redeems it with its own workload token
     * ({@code POST /v1/tasks {"delegation_token": …}}).
     */
    @CalledBy(CalledBy.Caller.TASK)
    @Post("/self/delegations")
    HttpResponse<Dtos.DelegationOffered> delegate(HttpRequest<?> request,
                                                  @RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder,
                                                  @Body Dtos.DelegateTask body) {
        Task parent = tasks.requireActive(holder.taskId());
        Agent delegator = agents.require(parent.tenant(), parent.agentId());
        agents.requireMayAct(delegator);
        rates.acquire(new RateLimits.Scopes(parent.tenant(), parent.agentId(), parent.id()));
        Agent subAgent = agents.require(parent.tenant(), Names.require("agent_id", body.agentId()));
        agents.requireMayAct(subAgent);
        Delegations.Offered offered = delegations.offer(parent, delegator, subAgent, new Delegations.Ask(body.objective(),
                Durations.parse("ttl", body.ttl()), body.tools(),
                body.sensitivity() == null ? null : Sensitivity.parse(body.sensitivity()), body.roles()),
                Callers.sourceAddress(request));
        return HttpResponse.created(new Dtos.DelegationOffered(offered.delegationId(), offered.token(), offered.agentId(),
                offered.offerExpiresAt(), offered.taskExpiresAt(), offered.actorChain()));
    }

    @CalledBy(CalledBy.Caller.TASK)
    @Get("/self")
    Dtos.TaskView self(@RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder) {
        Task task = tasks.find(holder.taskId())
                .orElseThrow(() -> DomainException.unauthenticated("invalid or expired token"));
        return Dtos.TaskView.of(task, clock.instant(), null);
    }

    /** The task's own policy decisions, so an agent can see why it was refused. */
    @CalledBy(CalledBy.Caller.TASK)
    @Get("/self/decisions")
    Dtos.DecisionList ownDecisions(@RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder) {
        return new Dtos.DecisionList(holder.taskId(), decisions.ofTask(holder.tenant(), holder.taskId()));
    }

    /** Admin: every decision taken within a task of the admin's tenant, oldest first. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{taskId}/decisions")
    Dtos.DecisionList decisions(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String taskId) {
        Task task = (TASK_ID.matcher(taskId).matches() ? tasks.find(taskId) : java.util.Optional.<Task>empty())
                .filter(t -> t.tenant().equals(admin.tenant()))
                .orElseThrow(() -> DomainException.notFound("no task " + taskId));
        return new Dtos.DecisionList(task.id(), decisions.ofTask(admin.tenant(), task.id()));
    }

    @CalledBy(CalledBy.Caller.TASK)
    @Post("/self/end")
    Dtos.TaskEnded end(@RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder) {
        TaskService.Ended ended = tasks.end(holder.taskId());
        return new Dtos.TaskEnded(ended.task().id(), "ended", ended.leasesRevoking(), ended.subTasksEnded());
    }
}
