package dev.ephemera.server.domain.proxy;

import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseState;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.http.HttpProxyAuthenticator;
import dev.ephemera.legacy.proxy.http.HttpUpstream;
import dev.ephemera.legacy.proxy.pg.PgProxyAuthenticator;
import dev.ephemera.legacy.proxy.pg.PgUpstream;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.server.domain.escrow.DualAccounts;
import dev.ephemera.server.domain.escrow.EscrowService;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Admission to the proxies: a lease token is good while its lease is active and unexpired, for its
 * route's protocol only, and yields the route's upstream with the escrowed secret as it is now.
 */
@Singleton
final class ProxyGate implements HttpProxyAuthenticator, PgProxyAuthenticator {
    private static final String INVALID = "invalid, expired or revoked lease token";

    /** What a lease token opens: its route, and the account and secret to log in with now. */
    private record Admitted(ProxyRoute route, String username, String secret, ProxyLease lease) {}

    private final ProxyTokens tokens;
    private final RouteCatalog routes;
    private final EscrowService escrow;
    private final DualAccounts pairs;
    private final Provider<LeaseEngine> engine;
    private final InstantSource clock;

    ProxyGate(ProxyTokens tokens, RouteCatalog routes, EscrowService escrow, DualAccounts pairs, Provider<LeaseEngine> engine,
              InstantSource clock) {
        this.tokens = tokens;
        this.routes = routes;
        this.escrow = escrow;
        this.pairs = pairs;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public HttpUpstream authenticate(String leaseToken, String clientAddress) throws ProxyRefusedException {
        Admitted admitted = admit(leaseToken, ProxyRoute.Protocol.HTTP);
        ProxyRoute route = admitted.route();
        String secret = admitted.secret();
        List<String> redact = new ArrayList<>(List.of(secret));
        String value = switch (route.scheme()) {
            case "basic" -> {
                String encoded = Base64.getEncoder().encodeToString((admitted.username() + ":" + secret).getBytes(StandardCharsets.UTF_8));
                redact.add(encoded);
                yield "Basic " + encoded;
            }
            case "raw" -> secret;
            default -> "Bearer " + secret;
        };
        redact.add(value);
        redact.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        return new HttpUpstream(URI.create(route.upstream()), route.header(), value, redact, admitted.lease());
    }

    @Override
    public PgUpstream authenticate(String user, String database, String leaseToken, String clientAddress)
            throws ProxyRefusedException {
        Admitted admitted = admit(leaseToken, ProxyRoute.Protocol.POSTGRESQL);
        ProxyRoute route = admitted.route();
        if (database != null && !database.isEmpty() && !database.equals(route.database()) && !database.equals(user)) {
            throw new ProxyRefusedException("this lease opens database " + route.database() + " only");
        }
        int colon = route.upstream().lastIndexOf(':');
        String host = route.upstream().substring(0, colon).replace("[", "").replace("]", "");
        return new PgUpstream(host, Integer.parseInt(route.upstream().substring(colon + 1)), route.database(), admitted.username(),
                admitted.secret(), admitted.lease(), route.upstreamTls());
    }

    @Override
    public Optional<PgUpstream> refreshed(PgUpstream opened) {
        ProxyLease lease = opened.lease();
        return routes.find(lease.tenant(), lease.route()).flatMap(route -> {
            List<String> secretIds = pairs.find(lease.tenant(), route.secretId())
                    .map(pair -> List.of(pair.blue(), pair.green())).orElse(List.of(route.secretId()));
            return secretIds.stream().flatMap(id -> escrow.find(lease.tenant(), id).stream())
                    .filter(secret -> secretIds.size() == 1 || secret.account().equals(opened.user()))
                    .findFirst()
                    .map(secret -> new PgUpstream(opened.host(), opened.port(), opened.database(), opened.user(),
                            secret.current().value(), lease, opened.tls()));
        });
    }

    private Admitted admit(String token, ProxyRoute.Protocol protocol) throws ProxyRefusedException {
        ProxyTokens.Entry entry = tokens.find(token).orElseThrow(() -> new ProxyRefusedException(INVALID));
        Lease lease = engine.get().find(entry.leaseId())
                .filter(l -> l.state() == LeaseState.ACTIVE && l.expiresAt().isAfter(clock.instant()))
                .orElseThrow(() -> new ProxyRefusedException(INVALID));
        ProxyRoute route = routes.find(entry.tenant(), entry.route())
                .orElseThrow(() -> new ProxyRefusedException("route " + entry.route() + " no longer exists"));
        if (route.protocol() != protocol) {
            throw new ProxyRefusedException("this lease token is for the " + route.protocol().name().toLowerCase() + " proxy");
        }
        ProxyLease proxyLease = new ProxyLease(entry.tenant(), lease.taskId(), lease.agentId(), lease.id(), route.name());
        if (pairs.find(entry.tenant(), route.secretId()).isPresent()) {
            DualAccountRotation.Current active = pairs.current(entry.tenant(), route.secretId());
            return new Admitted(route, EscrowedSecret.accountOf(active.target()), active.password(), proxyLease);
        }
        EscrowedSecret secret = escrow.find(entry.tenant(), route.secretId())
                .orElseThrow(() -> new ProxyRefusedException("route " + route.name() + " has no escrowed secret any more"));
        return new Admitted(route, route.username(), secret.current().value(), proxyLease);
    }
}
