package dev.ephemera.server.proxy;

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
}
