package dev.ephemera.server.domain.quota;

import dev.ephemera.server.domain.core.DomainException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request rates per task, per agent and per tenant, as token buckets: each scope refills at its
 * rate per second and holds up to twice that as a burst. A request takes one token from every
 * scope it belongs to, or from none: a refused request costs its neighbours nothing. Buckets idle
 * for ten minutes are dropped.
 */
@Singleton
public final class RateLimits {
    private static final long IDLE_NANOS = 600_000_000_000L;

    /** The scopes a request is counted in; a null task means the request has none (task start). */
    public record Scopes(String tenant, String agent, String task) {}

    private static final class Bucket {
        double tokens;
        long refilledAt;
        long usedAt;
    }

    private final double perTask;
    private final double perAgent;
    private final double perTenant;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private volatile long nextSweep;

    RateLimits(QuotaConfiguration configuration, MeterRegistry registry) {
        this.perTask = configuration.requestsPerSecondPerTask();
        this.perAgent = configuration.requestsPerSecondPerAgent();
        this.perTenant = configuration.requestsPerSecondPerTenant();
        this.registry = registry;
    }

    /** Takes one request from every scope, or refuses with a 429 that names the scope and when to retry. */
    public void acquire(Scopes scopes) {
        long now = System.nanoTime();
        sweep(now);
        String[] keys = scopes.task() == null
                ? new String[] {"a\u0000" + scopes.tenant() + "\u0000" + scopes.agent(), "t\u0000" + scopes.tenant()}
                : new String[] {"k\u0000" + scopes.task(), "a\u0000" + scopes.tenant() + "\u0000" + scopes.agent(),
                        "t\u0000" + scopes.tenant()};
        synchronized (this) {
            for (String key : keys) {
                Bucket bucket = refill(key, now);
                if (bucket.tokens < 1) {
                    double rate = rateOf(key);
                    long waitMillis = (long) Math.ceil((1 - bucket.tokens) / rate * 1000);
                    String scope = scopeName(key, scopes);
                    refused.computeIfAbsent(key.substring(0, 1), k -> Counter.builder("ephemera.requests.rate_limited")
                            .description("Requests refused for exceeding a task's, agent's or tenant's request rate")
                            .tag("scope", scope.substring(0, scope.indexOf(' '))).register(registry)).increment();
                    throw new DomainException(DomainException.Kind.EXHAUSTED, "rate_limited", scope + " exceeds its rate of "
                            + rate + " requests per second; retry in " + waitMillis + " ms");
                }
            }
            for (String key : keys) {
                Bucket bucket = buckets.get(key);
                bucket.tokens -= 1;
                bucket.usedAt = now;
            }
        }
    }

    private Bucket refill(String key, long now) {
        double rate = rateOf(key);
        Bucket bucket = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = 2 * rate;
            fresh.refilledAt = now;
            fresh.usedAt = now;
            return fresh;
        });
        bucket.tokens = Math.min(2 * rate, bucket.tokens + (now - bucket.refilledAt) / 1e9 * rate);
        bucket.refilledAt = now;
        return bucket;
    }

    private double rateOf(String key) {
        return switch (key.charAt(0)) {
            case 'k' -> perTask;
            case 'a' -> perAgent;
            default -> perTenant;
        };
    }

    private static String scopeName(String key, Scopes scopes) {
        return switch (key.charAt(0)) {
            case 'k' -> "task " + scopes.task();
            case 'a' -> "agent " + scopes.agent();
            default -> "tenant " + scopes.tenant();
        };
    }

    private void sweep(long now) {
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + 60_000_000_000L;
        synchronized (this) {
            buckets.values().removeIf(bucket -> now - bucket.usedAt > IDLE_NANOS);
        }
    }
}
