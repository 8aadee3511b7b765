package dev.ephemera.server.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;

/**
 * Unauthenticated liveness (whether the vault is unsealed and serving, nothing more), and the
 * metrics in Prometheus text format for admins: lease counts, rates, backlog and revocation lag
 * say a lot about who is doing what, so they are not public.
 */
@Controller("/v1/sys")
final class SysController {
    static final String VERSION = "0.1.0";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry metrics;
    private final Callers callers;

    SysController(PrometheusMeterRegistry metrics, Callers callers) {
        this.metrics = metrics;
        this.callers = callers;
    }

    @Get("/health")
    Dtos.Health health() {
        return new Dtos.Health(true, false, VERSION);
    }

    @Get("/metrics")
    HttpResponse<String> metrics(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        callers.admin(authorization);
        return HttpResponse.ok(metrics.scrape()).contentType(PROMETHEUS_TEXT);
    }
}
