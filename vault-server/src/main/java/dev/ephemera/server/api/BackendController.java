package dev.ephemera.server.api;

import dev.ephemera.server.domain.backend.BackendCatalog;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** Backends and their roles: shared by all tenants, changed by operators only, read by any admin. */
@Controller("/v1/backends")
@ExecuteOn(TaskExecutors.BLOCKING)
final class BackendController {
    private final BackendCatalog backends;

    BackendController(BackendCatalog backends) {
        this.backends = backends;
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/{name}")
    Dtos.BackendView configureBackend(@PathVariable String name, @Body Dtos.BackendBody body) {
        return Dtos.BackendView.of(backends.configure(name, body.type(), body.connectionUrl(), body.username(),
                body.password(), body.passwordMode(), body.verify() == null || body.verify()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<Dtos.BackendView> listBackends() {
        return backends.list().stream().map(Dtos.BackendView::of).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{name}")
    Dtos.BackendView backend(@PathVariable String name) {
        return backends.find(name).map(Dtos.BackendView::of)
                .orElseThrow(() -> DomainException.notFound("no backend named '" + name + "'"));
    }

    @CalledBy(CalledBy.Caller.OPERATOR)
    @Put("/{backend}/roles/{role}")
    Dtos.RoleView configureRole(@PathVariable String backend, @PathVariable String role, @Body Dtos.RoleBody body) {
        return Dtos.RoleView.of(backends.configureRole(backend, role, body.creationStatements(), body.renewStatements(),
                body.revocationStatements(), Durations.parse("default_ttl", body.defaultTtl()),
                Durations.parse("max_ttl", body.maxTtl())));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{backend}/roles/{role}")
    Dtos.RoleView role(@PathVariable String backend, @PathVariable String role) {
        return backends.role(backend, role).map(Dtos.RoleView::of)
                .orElseThrow(() -> DomainException.notFound("no role '" + role + "' on backend '" + backend + "'"));
    }
}
