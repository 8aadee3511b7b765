package dev.ephemera.server.domain.proxy;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a credential-injecting proxy takes an agent, with which escrowed secret. HTTP routes name a
 * base URL and the header to inject ({@code scheme}: bearer, basic or raw); PostgreSQL routes name
 * {@code host:port} and a database, and log in upstream as the secret's account by SCRAM.
 */
public record ProxyRoute(String tenant, String name, Protocol protocol, String secretId, String upstream, String database,
                         String header, String scheme, String username, boolean upstreamTls, Duration defaultTtl,
                         Duration maxTtl, Instant updatedAt) {

    public enum Protocol { HTTP, POSTGRESQL }

    /**
     * Where and how the route hands its secret over: everything but the TTLs. A change of any of it
     * is a break-glass operation; approvers read this and approve exactly this.
     */
    public String delivery() {
        return protocol == Protocol.HTTP
                ? "http route " + name + ": " + secretId + " sent to " + upstream + " in " + header + " (" + scheme
                        + (username == null ? "" : ", username " + username) + ")"
                : "postgresql route " + name + ": " + secretId + " logs in to " + upstream + " database " + database
                        + (username == null ? "" : " as " + username) + (upstreamTls ? " over TLS" : " without TLS");
    }
}
