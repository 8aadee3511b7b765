package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.proxy.ProxyServers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Unauthenticated liveness (whether the vault is unsealed and serving, nothing more), and the
 * metrics in Prometheus text format for operators (lease counts, rates, backlog and revocation lag
 * span every tenant and say a lot about who is doing what), and admin tokens for tenants.
 */
@Controller("/v1/sys")
final class SysController {
    static final String VERSION = "0.1.0";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SysController.class);

    private final PrometheusMeterRegistry metrics;
    private final Tokens tokens;
    private final ProxyServers proxies;

    SysController(PrometheusMeterRegistry metrics, Tokens tokens, ProxyServers proxies) {
        this.proxies = proxies;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    @CalledBy(CalledBy.Caller.ANYONE)
    @Get("/health")
    Dtos.Health health() {
        return new Dtos.Health(true, false, VERSION);
    }

    /**
     * Unauthenticated: the certificate that verifies the PostgreSQL proxy, in PEM, for clients'
     * {@code sslmode=verify-full sslrootcert=…}. It is public by nature; 404 when the proxy is off.
     */
    @CalledBy(CalledBy.Caller.ANYONE)
    @Get("/proxy-ca")
    HttpResponse<String> proxyCa() {
        return proxies.postgresAuthorityPem()
                .map(pem -> HttpResponse.ok(pem).contentType("application/x-pem-file"))
                .orElseThrow(() -> DomainException.notFound("the PostgreSQL proxy is not running (ephemera.proxy.postgres.port)"));
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Get("/metrics")
    HttpResponse<String> metrics(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return HttpResponse.ok(metrics.scrape()).contentType(PROMETHEUS_TEXT);
    }

    /** Operator: an admin token for a tenant (a new tenant comes into being with its first admin). */
    @CalledBy(CalledBy.Caller.OPERATOR)
    @Post("/admin-tokens")
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<Dtos.AdminTokenIssued> issueAdminToken(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin operator,
                                                       @Body Dtos.AdminTokenRequest body) {
        String name = Names.require("name", body.name());
        String tenant = Names.require("tenant", body.tenant());
        boolean asOperator = Boolean.TRUE.equals(body.operator());
        String token = asOperator ? tokens.issueOperator(name, tenant) : tokens.issueAdmin(name, tenant);
        log.info("operator {} issued an {} token for {} in tenant {}", operator.name(), asOperator ? "operator" : "admin", name, tenant);
        return HttpResponse.created(new Dtos.AdminTokenIssued(name, tenant, asOperator, token));
    }
}
