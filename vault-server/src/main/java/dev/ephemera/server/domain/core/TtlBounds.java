package dev.ephemera.server.domain.core;

import java.time.Duration;

/**
 * The default and maximum TTL of something leased (a role, a library, a proxy route), from what an
 * admin gave and the kind's own defaults: the default never exceeds the maximum.
 */
public record TtlBounds(Duration defaultTtl, Duration maxTtl) {

    /** Fills what was omitted; a default above the maximum is a 400. */
    public static TtlBounds of(Duration defaultTtl, Duration maxTtl, TtlBounds fallback) {
        Duration max = maxTtl == null ? fallback.maxTtl() : maxTtl;
        Duration ttl = defaultTtl == null ? (fallback.defaultTtl().compareTo(max) < 0 ? fallback.defaultTtl() : max) : defaultTtl;
        if (ttl.compareTo(max) > 0) {
            throw DomainException.invalid("default_ttl (" + ttl.toSeconds() + "s) exceeds max_ttl (" + max.toSeconds() + "s)");
        }
        return new TtlBounds(ttl, max);
    }
}
