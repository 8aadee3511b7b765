package dev.ephemera.server.api;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Issuer;
import dev.ephemera.server.domain.auth.IssuerTenants;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.WorkloadTokens;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/**
 * Workload token issuers: shared by all tenants and changed by operators only, who also assign each
 * tenant the workload identities (subject prefixes of an issuer) its agents may use.
 */
@Controller("/v1/issuers")
@ExecuteOn(TaskExecutors.BLOCKING)
final class IssuerController {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IssuerController.class);

    private final WorkloadTokens workloadTokens;
    private final IssuerTenants issuerTenants;
    private final AgentRegistry agents;

    IssuerController(WorkloadTokens workloadTokens, IssuerTenants issuerTenants, AgentRegistry agents) {
        this.workloadTokens = workloadTokens;
        this.issuerTenants = issuerTenants;
        this.agents = agents;
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/{name}")
    Dtos.IssuerView configureIssuer(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin operator,
                                    @PathVariable String name, @Body Dtos.IssuerBody body) {
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
    @Put("/{name}/tenants/{tenant}")
    Dtos.IssuerAssignmentView assignIssuer(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin operator,
                                           @PathVariable String name, @PathVariable String tenant,
                                           @Body Dtos.IssuerAssignmentBody body) {
        requireIssuer(name);
        IssuerTenants.Assignment assignment = issuerTenants.assign(name, body.subjectPrefix(), Names.require("tenant", tenant),
                agents.boundTo(name));
        log.info("operator {} assigned subjects '{}' of issuer {} to tenant {}", operator.name(), assignment.subjectPrefix(), name,
                tenant);
        return Dtos.IssuerAssignmentView.of(assignment);
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Get("/{name}/tenants")
    List<Dtos.IssuerAssignmentView> issuerAssignments(@PathVariable String name) {
        requireIssuer(name);
        return issuerTenants.of(name).stream().map(Dtos.IssuerAssignmentView::of).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<Dtos.IssuerView> issuers() {
        return workloadTokens.issuers().stream().map(IssuerController::view).toList();
    }

    private void requireIssuer(String name) {
        if (workloadTokens.issuers().stream().noneMatch(issuer -> issuer.name().equals(name))) {
            throw DomainException.notFound("no issuer named '" + name + "'");
        }
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
