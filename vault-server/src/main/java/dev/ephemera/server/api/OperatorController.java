package dev.ephemera.server.api;

import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.core.Names;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Operators' calls under {@code /v1/sys}: the metrics in Prometheus text format (lease counts,
 * rates, backlog and revocation lag span every tenant and say a lot about who is doing what) and
 * admin tokens for tenants.
 */
@Controller("/v1/sys")
final class OperatorController {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OperatorController.class);

    private final PrometheusMeterRegistry metrics;
    private final Tokens tokens;

    OperatorController(PrometheusMeterRegistry metrics, Tokens tokens) {
        this.metrics = metrics;
        this.tokens = tokens;
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Get("/metrics")
    HttpResponse<String> metrics() {
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
