package dev.ephemera.server.api;

import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.core.DomainException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import java.util.Optional;

/**
 * Authentication declared, deny by default: before a route runs, the caller's token is checked
 * against the route's {@link CalledBy}; a route that declares nothing is refused whatever the token,
 * so a forgotten declaration closes a route instead of opening it. Requests that match no route go
 * on to the router's own 404 or 405.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class DeclaredCallers {
    private final Callers callers;

    DeclaredCallers(Callers callers) {
        this.callers = callers;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    void check(HttpRequest<?> request) {
        Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
        if (route.isEmpty()) {
            return;
        }
        CalledBy declared = route.get().getAnnotationMetadata().synthesize(CalledBy.class);
        if (declared == null) {
            throw DomainException.forbidden("this route declares no caller, so it serves none");
        }
        String authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        Principal caller = switch (declared.value()) {
            case ANYONE, WORKLOAD -> null;
            case TASK -> callers.task(authorization);
            case ADMIN -> callers.admin(authorization);
            case OPERATOR -> callers.operator(authorization);
            case CONSUMER -> callers.consumer(authorization);
            case ADMIN_OR_TASK -> callers.any(authorization);
        };
        if (caller != null) {
            request.setAttribute(Callers.PRINCIPAL, caller);
        }
    }
}
