package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.lease.TaskLeases;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.policy.PolicyAction;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.proxy.ProxyAuditLog;
import dev.ephemera.server.domain.proxy.ProxyBackend;
import dev.ephemera.server.domain.proxy.ProxyRoute;
import dev.ephemera.server.domain.proxy.RouteCatalog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
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

    ProxyController(RouteCatalog routes, ProxyAuditLog audit, TaskLeases leases, PolicyDecider policy, BreakGlassDesk breakGlass) {
        this.routes = routes;
        this.audit = audit;
        this.leases = leases;
        this.policy = policy;
        this.breakGlass = breakGlass;
    }

    /**
     * 200 when stored. A new route, or a change of where or how it delivers its secret (anything but
     * its TTLs), is break-glass: the first call files it (202) for two other admins to approve; the
     * same admin then sends the same route again naming the approval.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/routes/{name}")
    HttpResponse<?> configure(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String name,
                              @Body RouteAsk body) {
        RouteCatalog.Spec spec = new RouteCatalog.Spec(body.protocol(), body.secretId(), body.upstream(), body.database(),
                body.header(), body.scheme(), body.username(), body.upstreamTls(), Durations.parse("default_ttl", body.defaultTtl()),
                Durations.parse("max_ttl", body.maxTtl()));
        String delivery = routes.check(admin.tenant(), name, spec).delivery();
        return breakGlass.change(admin, Approvals.BreakGlass.ROUTE, name, body.approvalId(), body.reason(), delivery,
                approved -> routes.configure(admin.tenant(), name, spec, approved), RouteView::of);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/routes")
    List<RouteView> list(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return routes.list(admin.tenant()).stream().map(RouteView::of).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/routes/{name}")
    RouteView read(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String name) {
        return RouteView.of(route(admin.tenant(), name));
    }

    /** 201 with the proxy's address and a lease token; the escrowed secret itself never leaves the vault. */
    @CalledBy(CalledBy.Caller.TASK)
    @Post("/routes/{name}/lease")
    HttpResponse<?> lease(HttpRequest<?> request, @RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder,
                          @PathVariable String name, @Body Dtos.LeaseAsk body) {
        return Dtos.respond(leases.take(holder.taskId(), task -> {
            ProxyRoute route = route(task.tenant(), name);
            return new TaskLeases.Target<>(route, ProxyBackend.NAME, route.name(), "route", route.defaultTtl(), route.maxTtl());
        }, body.ttl(), Callers.sourceAddress(request), body.approvalId(),
                (agent, route, intent) -> policy.permitRole(PolicyAction.LEASE, agent, ProxyBackend.NAME, route.name(), intent)));
    }

    /** Admin: every connection the proxies carried for a task of the tenant. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/connections{?task_id}")
    ConnectionList connections(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                               @Nullable @QueryValue("task_id") String taskId) {
        if (taskId == null || !taskId.matches("task_[0-9a-z]{1,40}")) {
            throw DomainException.invalid("task_id is required");
        }
        return new ConnectionList(taskId, audit.ofTask(admin.tenant(), taskId));
    }

    private ProxyRoute route(String tenant, String name) {
        return routes.find(tenant, Names.require("route", name)).orElseThrow(() -> DomainException.notFound("no route " + name));
    }
}
