package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.ephemera.server.domain.agent.AgentLifecycle;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Issuer;
import dev.ephemera.server.domain.auth.IssuerTenants;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.WorkloadTokens;
import dev.ephemera.server.domain.backend.BackendCatalog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/**
 * Admin configuration. Backends, their roles and workload token issuers are shared by all tenants and
 * changed by operators only, who also assign each tenant the workload identities (subject prefixes of
 * an issuer) its agents may use; agents belong to the admin's tenant.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class AdminController {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdminController.class);

    private final BackendCatalog backends;
    private final WorkloadTokens workloadTokens;
    private final AgentRegistry agents;
    private final AgentLifecycle lifecycle;
    private final Callers callers;
    private final IssuerTenants issuerTenants;

    AdminController(BackendCatalog backends, WorkloadTokens workloadTokens, AgentRegistry agents, AgentLifecycle lifecycle,
                    Callers callers, IssuerTenants issuerTenants) {
        this.issuerTenants = issuerTenants;
        this.lifecycle = lifecycle;
        this.backends = backends;
        this.workloadTokens = workloadTokens;
        this.agents = agents;
        this.callers = callers;
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/backends/{name}")
    Dtos.BackendView configureBackend(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                      @PathVariable String name, @Body Dtos.BackendBody body) {
        callers.operator(authorization);
        return Dtos.BackendView.of(backends.configure(name, body.type(), body.connectionUrl(), body.username(),
                body.password(), body.passwordMode(), body.verify() == null || body.verify()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/backends")
    List<Dtos.BackendView> listBackends(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        callers.admin(authorization);
        return backends.list().stream().map(Dtos.BackendView::of).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/backends/{name}")
    Dtos.BackendView backend(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String name) {
        callers.admin(authorization);
        return backends.find(name).map(Dtos.BackendView::of)
                .orElseThrow(() -> DomainException.notFound("no backend named '" + name + "'"));
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/backends/{backend}/roles/{role}")
    Dtos.RoleView configureRole(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                @PathVariable String backend, @PathVariable String role, @Body Dtos.RoleBody body) {
        callers.operator(authorization);
        return Dtos.RoleView.of(backends.configureRole(backend, role, body.creationStatements(), body.renewStatements(),
                body.revocationStatements(), Durations.parse("default_ttl", body.defaultTtl()),
                Durations.parse("max_ttl", body.maxTtl())));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/backends/{backend}/roles/{role}")
    Dtos.RoleView role(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                       @PathVariable String backend, @PathVariable String role) {
        callers.admin(authorization);
        return backends.role(backend, role).map(Dtos.RoleView::of)
                .orElseThrow(() -> DomainException.notFound("no role '" + role + "' on backend '" + backend + "'"));
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/issuers/{name}")
    Dtos.IssuerView configureIssuer(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                    @PathVariable String name, @Body Dtos.IssuerBody body) {
        Principal.Admin operator = callers.operator(authorization);
        String jwks = switch (body.jwks()) {
            case null -> null;
            case String text -> text;
            case Map<?, ?> object -> JSONObjectUtils.toJSONString(castKeys(object));
            default -> throw DomainException.invalid("jwks must be a JWK set object");
        };
        Issuer.Kind kind = switch (body.kind() == null ? "oidc" : body.kind()) {
            case "oidc" -> Issuer.Kind.OIDC;
            case "spiffe-jwt" -> Issuer.Kind.SPIFFE_JWT;
            case "spiffe-x509" -> Issuer.Kind.SPIFFE_X509;
            default -> throw DomainException.invalid("kind must be oidc, spiffe-jwt or spiffe-x509");
        };
        Issuer issuer = workloadTokens.configure(new Issuer(Names.require("issuer name", name), kind, body.issuer(),
                body.audience(), jwks, body.jwksUri(), body.algorithms(), body.trustDomain(), !Boolean.FALSE.equals(body.rejectReplay()),
                body.x509Bundle()));
        issuerTenants.claimUnassigned(issuer.name(), operator.tenant());
        return view(issuer);
    }

    /**
     * Operator: the issuer's subjects under a prefix belong to a tenant (the longest assigned prefix
     * of a subject decides); only that tenant's admins bind them to agents.
     */
    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/issuers/{name}/tenants/{tenant}")
    Dtos.IssuerAssignmentView assignIssuer(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                           @PathVariable String name, @PathVariable String tenant,
                                           @Body Dtos.IssuerAssignmentBody body) {
        Principal.Admin operator = callers.operator(authorization);
        requireIssuer(name);
        IssuerTenants.Assignment assignment = issuerTenants.assign(name, body.subjectPrefix(), Names.require("tenant", tenant),
                agents.boundTo(name));
        log.info("operator {} assigned subjects '{}' of issuer {} to tenant {}", operator.name(), assignment.subjectPrefix(), name,
                tenant);
        return Dtos.IssuerAssignmentView.of(assignment);
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Get("/issuers/{name}/tenants")
    List<Dtos.IssuerAssignmentView> issuerAssignments(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                                      @PathVariable String name) {
        callers.operator(authorization);
        requireIssuer(name);
        return issuerTenants.of(name).stream().map(Dtos.IssuerAssignmentView::of).toList();
    }

    private void requireIssuer(String name) {
        if (workloadTokens.issuers().stream().noneMatch(issuer -> issuer.name().equals(name))) {
            throw DomainException.notFound("no issuer named '" + name + "'");
        }
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/issuers")
    List<Dtos.IssuerView> issuers(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        callers.admin(authorization);
        return workloadTokens.issuers().stream().map(AdminController::view).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/agents/{agentId}")
    Dtos.AgentView registerAgent(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                 @PathVariable String agentId, @Body Dtos.AgentBody body) {
        Principal.Admin admin = callers.admin(authorization);
        return Dtos.AgentView.of(agents.register(admin.tenant(), agentId, new AgentRegistry.Registration(body.owner(),
                body.purpose(), body.issuer(), body.subject(), body.tools(), body.manifestDigest(), body.expiresAt(),
                body.trustLevel())));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/agents/{agentId}/activate")
    Dtos.AgentView activateAgent(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String agentId) {
        return Dtos.AgentView.of(lifecycle.activate(callers.admin(authorization).tenant(), agentId));
    }

    /** Suspends the agent: every task it has is ended and every lease revoked; it can be activated again. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/agents/{agentId}/suspend")
    Dtos.AgentStopped suspendAgent(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                   @PathVariable String agentId, @Body Dtos.Reason body) {
        return stopped(lifecycle.suspend(callers.admin(authorization).tenant(), agentId, body.reason()));
    }

    /** Offboards the agent for good: every task it has is ended and every lease revoked. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/agents/{agentId}/offboard")
    Dtos.AgentStopped offboardAgent(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                    @PathVariable String agentId, @Body Dtos.Reason body) {
        return stopped(lifecycle.offboard(callers.admin(authorization).tenant(), agentId, body.reason()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/agents/{agentId}/approve-manifest")
    Dtos.AgentView approveManifest(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                   @PathVariable String agentId, @Body Dtos.ManifestApproval body) {
        return Dtos.AgentView.of(lifecycle.approveManifest(callers.admin(authorization).tenant(), agentId, body.digest()));
    }

    private static Dtos.AgentStopped stopped(AgentLifecycle.Transition transition) {
        return new Dtos.AgentStopped(Dtos.AgentView.of(transition.agent()), transition.tasksEnded(), transition.leasesRevoking());
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/agents/{agentId}")
    Dtos.AgentView agent(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String agentId) {
        Principal.Admin admin = callers.admin(authorization);
        return Dtos.AgentView.of(agents.require(admin.tenant(), agentId));
    }

    private static Dtos.IssuerView view(Issuer issuer) {
        String kind = switch (issuer.kind()) {
            case OIDC -> "oidc";
            case SPIFFE_JWT -> "spiffe-jwt";
            case SPIFFE_X509 -> "spiffe-x509";
        };
        return new Dtos.IssuerView(issuer.name(), kind, issuer.issuer(),
                issuer.audience(), issuer.algorithms(), WorkloadTokens.keyCount(issuer), issuer.jwksUri(), issuer.trustDomain(),
                issuer.rejectReplay());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castKeys(Map<?, ?> object) {
        return (Map<String, Object>) object;
    }
}
