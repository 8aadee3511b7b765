package dev.ephemera.lease;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter on the upper half, so a backend that comes back is not hit by
 * every pending revocation in the same millisecond.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, double multiplier) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0);

    public RetryPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("retry policy needs 0 < initialDelay <= maxDelay and multiplier >= 1");
        }
    }

    /** Delay before attempt {@code failedAttempts + 1}, given {@code failedAttempts >= 1} failures so far. */
    public Duration delayAfter(int failedAttempts, RandomGenerator random) {
        double exponent = Math.min(Math.max(failedAttempts - 1, 0), 62);
        double ceiling = Math.min(initialDelay.toMillis() * Math.pow(multiplier, exponent), maxDelay.toMillis());
        long jittered = (long) (ceiling / 2 + random.nextDouble() * ceiling / 2);
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
