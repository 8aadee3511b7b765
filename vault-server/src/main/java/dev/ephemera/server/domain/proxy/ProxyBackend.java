package dev.ephemera.server.domain.proxy;

import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.server.domain.backend.BuiltInBackend;
import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A proxy route as a lease: the lease engine's built-in backend {@value #NAME}, whose roles are the
 * tenant's routes. The credential is a lease token the proxy accepts in place of the escrowed
 * secret, which the agent never sees; revoking the lease forgets the token and cuts the lease's
 * live sessions, and is confirmed only once their upstream work has ended.
 */
@Singleton
public final class ProxyBackend implements BuiltInBackend {
    public static final String NAME = "proxy";

    @Override
    public String name() {
        return NAME;
    }

    private final RouteCatalog routes;
    private final ProxyTokens tokens;
    private final Provider<ProxyServers> servers;

    ProxyBackend(RouteCatalog routes, ProxyTokens tokens, Provider<ProxyServers> servers) {
        this.routes = routes;
        this.tokens = tokens;
        this.servers = servers;
    }

    @Override
    public Map<String, String> prepare(IssueRequest request) throws BackendException {
        routes.find(request.tenant(), request.role()).orElseThrow(() -> new BackendException("no route " + request.role(), false));
        return Map.of("tenant", request.tenant(), "route", request.role(), "lease", request.leaseId());
    }

    @Override
    public Credential issue(IssueRequest request, Map<String, String> handle) throws BackendException {
        ProxyRoute route = routes.find(request.tenant(), request.role())
                .orElseThrow(() -> new BackendException("no route " + request.role(), false));
        ProxyServers running = servers.get();
        String address = (route.protocol() == ProxyRoute.Protocol.HTTP ? running.httpAddress() : running.postgresAddress())
                .orElseThrow(() -> new BackendException("the " + route.protocol().name().toLowerCase()
                        + " proxy is not running on this vault (ephemera.proxy.*.port)", false));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("route", route.name());
        fields.put("protocol", route.protocol().name().toLowerCase());
        fields.put("address", address);
        if (route.protocol() == ProxyRoute.Protocol.HTTP) {
            // Clients that cannot set Proxy-Authorization on a direct request (the JDK's) use the
            // proxy as a forward proxy for URLs under this base.
            fields.put("upstream", route.upstream());
        } else {
            fields.put("database", route.database());
            fields.put("username", route.name());
            fields.put("sslmode", "require");
        }
        fields.put("token", tokens.issue(request.tenant(), request.leaseId(), route.name()));
        return new Credential("proxy", fields);
    }

    @Override
    public void renew(String role, Map<String, String> handle, Instant expiresAt) {
        // The token is checked against the lease at every connection: nothing to extend.
    }

    @Override
    public void revoke(String role, Map<String, String> handle) throws BackendException {
        String lease = handle.get("lease");
        tokens.forget(lease);
        try {
            servers.get().closeLease(lease);
        } catch (RevocationIncompleteException e) {
            // Not revoked until the upstream work is gone too: the lease engine retries.
            throw new BackendException(e.getMessage(), true);
        }
    }
}
