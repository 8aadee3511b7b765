package dev.ephemera.server.domain.proxy;

import dev.ephemera.server.domain.escrow.EscrowUsers;
import jakarta.inject.Singleton;
import java.util.Optional;

/** A route that injects an escrowed secret or pair keeps it from being deleted. */
@Singleton
final class RouteUses implements EscrowUsers {
    private final RouteCatalog routes;

    RouteUses(RouteCatalog routes) {
        this.routes = routes;
    }

    @Override
    public Optional<String> refusesDeletion(String tenant, String id) {
        return routes.list(tenant).stream().filter(route -> route.secretId().equals(id)).findFirst()
                .map(route -> "proxy route " + route.name() + " injects " + id + "; change the route first");
    }
}
