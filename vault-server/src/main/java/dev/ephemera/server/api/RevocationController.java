package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.lease.BulkRevocation;
import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Principal;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Admin: revoke every lease of a task, an agent, an owner's agents, a backend, a role or the whole
 * tenant in one call. The call answers 202 at once with a job to poll; the scan and the revocations
 * run in the background, and each decision is durable before the job counts it.
 */
@Controller("/v1/revocations")
@ExecuteOn(TaskExecutors.BLOCKING)
final class RevocationController {
    private final LeaseEngine engine;
    private final AgentRegistry agents;
    /** Which tenant started each job: another tenant's admin does not see it. */
    private final java.util.Map<String, String> tenantOfJob = new java.util.concurrent.ConcurrentHashMap<>();

    RevocationController(LeaseEngine engine, AgentRegistry agents) {
        this.engine = engine;
        this.agents = agents;
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post
    HttpResponse<Dtos.BulkView> start(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                      @Body Dtos.RevocationScope scope) {
        String tenant = admin.tenant();
        List<String> described = new ArrayList<>();
        Predicate<Lease> filter = lease -> tenant.equals(lease.tenant());
        if (scope.taskId() != null) {
            String task = Names.require("task_id", scope.taskId());
            filter = filter.and(lease -> task.equals(lease.taskId()));
            described.add("task=" + task);
        }
        if (scope.agentId() != null) {
            String agent = Names.require("agent_id", scope.agentId());
            filter = filter.and(lease -> agent.equals(lease.agentId()));
            described.add("agent=" + agent);
        }
        if (scope.owner() != null) {
            if (scope.owner().isBlank() || scope.owner().length() > 320) {
                throw DomainException.invalid("owner must be 1 to 320 characters");
            }
            Set<String> owned = agents.idsOwnedBy(tenant, scope.owner());
            filter = filter.and(lease -> owned.contains(lease.agentId()));
            described.add("owner=" + scope.owner().strip() + " (" + owned.size() + " agents)");
        }
        if (scope.backend() != null) {
            String backend = Names.require("backend", scope.backend());
            filter = filter.and(lease -> backend.equals(lease.backend()));
            described.add("backend=" + backend);
        }
        if (scope.role() != null) {
            String role = Names.require("role", scope.role());
            filter = filter.and(lease -> role.equals(lease.role()));
            described.add("role=" + role);
        }
        if (described.isEmpty()) {
            if (!Boolean.TRUE.equals(scope.all())) {
                throw DomainException.invalid("give at least one of task_id, agent_id, owner, backend, role; "
                        + "or \"all\": true to revoke every lease of the tenant");
            }
            described.add("all leases of tenant " + tenant);
        }
        BulkRevocation job = engine.revokeMatching(String.join(", ", described), filter);
        tenantOfJob.put(job.id(), tenant);
        return HttpResponse.accepted().body(Dtos.BulkView.of(job));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{bulkId}")
    Dtos.BulkView progress(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String bulkId) {
        String tenant = admin.tenant();
        return engine.bulkRevocation(bulkId).filter(job -> tenant.equals(tenantOfJob.get(job.id()))).map(Dtos.BulkView::of)
                .orElseThrow(() -> DomainException.notFound("no bulk revocation " + bulkId
                        + " (jobs are kept in memory until a restart; their leases stay marked for revocation)"));
    }
}
