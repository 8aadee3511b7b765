package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.lease.TaskLeases;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.PolicyAction;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.proxy.ProxyAuditLog;
import dev.ephemera.server.domain.proxy.ProxyBackend;
import dev.ephemera.server.domain.proxy.ProxyRoute;
import dev.ephemera.server.domain.proxy.RouteCatalog;
import dev.ephemera.server.domain.task.Task;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.util.List;

/**
 * Credential-injecting proxy routes: admins configure them over escrowed secrets (break-glass, as a
 * route decides where the secret goes); a task leases a
 * route (policy: {@code Lease} of role {@code proxy/<route>}) and gets a lease token the proxy
 * takes in place of the secret; admins read every proxied connection of a task.
 */
@Controller("/v1/proxy")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProxyController {
    @Serdeable
    record RouteAsk(String protocol, String secretId, String upstream, String database, String header, String scheme,
                    String username, Boolean upstreamTls, Object defaultTtl, Object maxTtl, String approvalId, String reason) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RouteView(String name, String protocol, String secretId, String upstream, String database, String header,
                     String scheme, String username, Boolean upstreamTls, long defaultTtlSeconds, long maxTtlSeconds) {
        static RouteView of(ProxyRoute route) {
            return new RouteView(route.name(), route.protocol().name().toLowerCase(), route.secretId(), route.upstream(),
                    route.database(), route.header(), route.scheme(), route.username(),
                    route.protocol() == ProxyRoute.Protocol.POSTGRESQL ? route.upstreamTls() : null,
                    route.defaultTtl().toSeconds(), route.maxTtl().toSeconds());
        }
    }

    @Serdeable
    record ConnectionList(String taskId, List<ProxyAuditLog.Connection> connections) {}

    private final RouteCatalog routes;
    private final ProxyAuditLog audit;
    private final TaskLeases leases;
    private final PolicyDecider policy;
    private final BreakGlassDesk breakGlass;
    private final Callers callers;

    ProxyController(RouteCatalog routes, ProxyAuditLog audit, TaskLeases leases, PolicyDecider policy, BreakGlassDesk breakGlass,
                    Callers callers) {
        this.routes = routes;
        this.audit = audit;
        this.leases = leases;
        this.policy = policy;
        this.breakGlass = breakGlass;
        this.callers = callers;
    }

    /**
     * 200 when stored. A new route, or a change of where or how it delivers its secret (anything but
     * its TTLs), is break-glass: the first call files it (202) for two other admins to approve; the
     * same admin then sends the same route again naming the approval.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/routes/{name}")
    HttpResponse<?> configure(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String name,
                              @Body RouteAsk body) {
        Principal.Admin admin = callers.admin(authorization);
        RouteCatalog.Spec spec = new RouteCatalog.Spec(body.protocol(), body.secretId(), body.upstream(), body.database(),
                body.header(), body.scheme(), body.username(), body.upstreamTls(), Durations.parse("default_ttl", body.defaultTtl()),
                Durations.parse("max_ttl", body.maxTtl()));
        String delivery = routes.check(admin.tenant(), name, spec).delivery();
        return breakGlass.change(admin, Approvals.BreakGlass.ROUTE, name, body.approvalId(), body.reason(), delivery,
                approved -> routes.configure(admin.tenant(), name, spec, approved), RouteView::of);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/routes")
    List<RouteView> list(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        return routes.list(callers.admin(authorization).tenant()).stream().map(RouteView::of).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/routes/{name}")
    RouteView read(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String name) {
        return RouteView.of(route(callers.admin(authorization).tenant(), name));
    }

    /** 201 with the proxy's address and a lease token; the escrowed secret itself never leaves the vault. */
    @CalledBy(CalledBy.Caller.TASK)
    @Post("/routes/{name}/lease")
    HttpResponse<?> lease(HttpRequest<?> request, @Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                          @PathVariable String name, @Body Dtos.LeaseAsk body) {
        Task task = leases.callingTask(callers.task(authorization).taskId());
        ProxyRoute route = route(task.tenant(), name);
        TaskLeases.requireDeclared(task, ProxyBackend.NAME, route.name(), "route");
        Duration ttl = TaskLeases.ttl(body.ttl(), route.defaultTtl(), route.maxTtl(), "route");
        Agent agent = leases.actingAgent(task);
        Decision.Permit permit = policy.permitRole(PolicyAction.LEASE, agent, ProxyBackend.NAME, route.name(),
                task.intent(ttl, Callers.sourceAddress(request)));
        return Dtos.respond(leases.grant(task, agent, permit, ProxyBackend.NAME, route.name(), ttl, route.maxTtl(), body.approvalId()));
    }

    /** Admin: every connection the proxies carried for a task of the tenant. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/connections{?task_id}")
    ConnectionList connections(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                               @Nullable @QueryValue("task_id") String taskId) {
        Principal.Admin admin = callers.admin(authorization);
        if (taskId == null || !taskId.matches("task_[0-9a-z]{1,40}")) {
            throw DomainException.invalid("task_id is required");
        }
        return new ConnectionList(taskId, audit.ofTask(admin.tenant(), taskId));
    }

    private ProxyRoute route(String tenant, String name) {
        return routes.find(tenant, Names.require("route", name)).orElseThrow(() -> DomainException.notFound("no route " + name));
    }
}
