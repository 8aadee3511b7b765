package dev.ephemera.server.api;

import dev.ephemera.server.domain.agent.AgentLifecycle;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Principal;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** Agents of the admin's tenant: registered, activated, suspended, offboarded, their manifests approved. */
@Controller("/v1/agents")
@ExecuteOn(TaskExecutors.BLOCKING)
final class AgentController {
    private final AgentRegistry agents;
    private final AgentLifecycle lifecycle;

    AgentController(AgentRegistry agents, AgentLifecycle lifecycle) {
        this.agents = agents;
        this.lifecycle = lifecycle;
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{agentId}")
    Dtos.AgentView registerAgent(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                 @PathVariable String agentId, @Body Dtos.AgentBody body) {
        return Dtos.AgentView.of(agents.register(admin.tenant(), agentId, new AgentRegistry.Registration(body.owner(),
                body.purpose(), body.issuer(), body.subject(), body.tools(), body.manifestDigest(), body.expiresAt(),
                body.trustLevel())));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{agentId}/activate")
    Dtos.AgentView activateAgent(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String agentId) {
        return Dtos.AgentView.of(lifecycle.activate(admin.tenant(), agentId));
    }

    /** Suspends the agent: every task it has is ended and every lease revoked; it can be activated again. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{agentId}/suspend")
    Dtos.AgentStopped suspendAgent(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                   @PathVariable String agentId, @Body Dtos.Reason body) {
        return stopped(lifecycle.suspend(admin.tenant(), agentId, body.reason()));
    }

    /** Offboards the agent for good: every task it has is ended and every lease revoked. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{agentId}/offboard")
    Dtos.AgentStopped offboardAgent(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                    @PathVariable String agentId, @Body Dtos.Reason body) {
        return stopped(lifecycle.offboard(admin.tenant(), agentId, body.reason()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{agentId}/approve-manifest")
    Dtos.AgentView approveManifest(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                   @PathVariable String agentId, @Body Dtos.ManifestApproval body) {
        return Dtos.AgentView.of(lifecycle.approveManifest(admin.tenant(), agentId, body.digest()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{agentId}")
    Dtos.AgentView agent(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String agentId) {
        return Dtos.AgentView.of(agents.require(admin.tenant(), agentId));
    }

    private static Dtos.AgentStopped stopped(AgentLifecycle.Transition transition) {
        return new Dtos.AgentStopped(Dtos.AgentView.of(transition.agent()), transition.tasksEnded(), transition.leasesRevoking());
    }
}
