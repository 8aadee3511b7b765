package dev.ephemera.server.domain.proxy;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.core.TtlBounds;
import dev.ephemera.server.domain.approval.Guarded;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.escrow.DualAccounts;
import dev.ephemera.server.domain.escrow.EscrowService;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Admin configuration of proxy routes, checked before it is stored. A route decides where the proxy
 * sends an escrowed secret, so creating one, or changing anything but its TTLs, is break-glass.
 */
@Singleton
public final class RouteCatalog {
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9a-fA-F:]{2,45}]):(\\d{1,5})");
    private static final Set<String> SCHEMES = Set.of("bearer", "basic", "raw");
    private static final TtlBounds DEFAULTS = new TtlBounds(Duration.ofMinutes(15), Duration.ofHours(8));

    /** What an admin asks for; {@link #configure} fills defaults and checks it. */
    public record Spec(String protocol, String secretId, String upstream, String database, String header, String scheme,
                       String username, Boolean upstreamTls, Duration defaultTtl, Duration maxTtl) {}

    private final Documents documents;
    private final EscrowService escrow;
    private final DualAccounts pairs;
    private final InstantSource clock;

    RouteCatalog(Documents documents, EscrowService escrow, DualAccounts pairs, InstantSource clock) {
        this.documents = documents;
        this.escrow = escrow;
        this.pairs = pairs;
        this.clock = clock;
    }

    /**
     * Stores the route if it delivers its secret as the stored one does (a change of TTLs only) or
     * as {@code approvedDelivery} says two approvers agreed; otherwise holds it. Checked and stored
     * under one lock, so an unapproved change cannot slip in between.
     */
    public synchronized Guarded<ProxyRoute> configure(String tenant, String name, Spec spec, String approvedDelivery) {
        ProxyRoute route = check(tenant, name, spec);
        boolean sameDelivery = find(tenant, name).map(ProxyRoute::delivery).filter(route.delivery()::equals).isPresent();
        if (!sameDelivery && !route.delivery().equals(approvedDelivery)) {
            return new Guarded.Held<>(route, route.delivery());
        }
        documents.put(Keys.of("proxy-route", tenant, name), route);
        return new Guarded.Stored<>(route);
    }

    /** The route a spec makes, checked, not stored. */
    public ProxyRoute check(String tenant, String name, Spec spec) {
        Names.require("route name", name);
        ProxyRoute.Protocol protocol = switch (spec.protocol() == null ? "" : spec.protocol().toLowerCase(Locale.ROOT)) {
            case "http" -> ProxyRoute.Protocol.HTTP;
            case "postgresql" -> ProxyRoute.Protocol.POSTGRESQL;
            default -> throw DomainException.invalid("protocol must be \"http\" or \"postgresql\"");
        };
        Names.require("secret_id", spec.secretId());
        // A blue/green pair: every admission uses the account active at that moment, so the route names none.
        boolean pair = pairs.find(tenant, spec.secretId()).isPresent();
        if (pair && spec.username() != null) {
            throw DomainException.invalid("a route over pair " + spec.secretId() + " uses the pair's active account; it takes no username");
        }
        String account = pair ? null : escrow.find(tenant, spec.secretId())
                .orElseThrow(() -> DomainException.invalid("secret_id " + spec.secretId() + " is not an escrowed secret or pair of this tenant"))
                .account();
        TtlBounds ttl = TtlBounds.of(spec.defaultTtl(), spec.maxTtl(), DEFAULTS);
        ProxyRoute route = protocol == ProxyRoute.Protocol.HTTP
                ? httpRoute(tenant, name, spec, account, pair, ttl)
                : postgresRoute(tenant, name, spec, account, pair, ttl);
        return route;
    }

    public Optional<ProxyRoute> find(String tenant, String name) {
        return documents.get(Keys.of("proxy-route", tenant, name), ProxyRoute.class);
    }

    public List<ProxyRoute> list(String tenant) {
        return documents.list(Keys.prefix("proxy-route", tenant), ProxyRoute.class);
    }

    private ProxyRoute httpRoute(String tenant, String name, Spec spec, String account, boolean pair, TtlBounds ttl) {
        URI base;
        try {
            base = URI.create(spec.upstream() == null ? "" : spec.upstream());
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("upstream must be an http(s) URL");
        }
        if (!base.isAbsolute() || base.getRawAuthority() == null || base.getRawUserInfo() != null
                || base.getRawQuery() != null || base.getRawFragment() != null
                || !Set.of("http", "https").contains(base.getScheme().toLowerCase(Locale.ROOT))) {
            throw DomainException.invalid("upstream must be an http(s) URL without credentials, query or fragment");
        }
        String header = spec.header() == null ? "Authorization" : spec.header();
        if (!HEADER.matcher(header).matches() || Set.of("host", "content-length", "transfer-encoding", "connection",
                "proxy-authorization", "upgrade", "te", "trailer", "keep-alive").contains(header.toLowerCase(Locale.ROOT))) {
            throw DomainException.invalid("header must be an end-to-end header name such as Authorization or X-API-Key");
        }
        String scheme = spec.scheme() == null ? "bearer" : spec.scheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw DomainException.invalid("scheme must be bearer, basic or raw");
        }
        String username = spec.username() == null ? account : spec.username();
        if ("basic".equals(scheme) && !pair && (username == null || username.isBlank() || username.contains(":"))) {
            throw DomainException.invalid("basic needs a username (without ':'): give one or escrow the secret with an account");
        }
        return new ProxyRoute(tenant, name, ProxyRoute.Protocol.HTTP, spec.secretId(), base.toString(), null, header, scheme,
                username, false, ttl.defaultTtl(), ttl.maxTtl(), clock.instant());
    }

    private ProxyRoute postgresRoute(String tenant, String name, Spec spec, String account, boolean pair, TtlBounds ttl) {
        if (spec.upstream() == null || !HOST_PORT.matcher(spec.upstream()).matches()) {
            throw DomainException.invalid("upstream must be host:port of the PostgreSQL server");
        }
        int port = Integer.parseInt(spec.upstream().substring(spec.upstream().lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw DomainException.invalid("upstream port must be 1 to 65535");
        }
        String username = spec.username() == null ? account : spec.username();
        if (!pair && (username == null || username.isBlank())) {
            throw DomainException.invalid("username is required: the secret names no PostgreSQL role");
        }
        if (spec.database() == null || spec.database().isBlank() || spec.database().length() > 63) {
            throw DomainException.invalid("database is required (at most 63 characters)");
        }
        return new ProxyRoute(tenant, name, ProxyRoute.Protocol.POSTGRESQL, spec.secretId(), spec.upstream(), spec.database(),
                null, null, username, Boolean.TRUE.equals(spec.upstreamTls()), ttl.defaultTtl(), ttl.maxTtl(),
                clock.instant());
    }
}
