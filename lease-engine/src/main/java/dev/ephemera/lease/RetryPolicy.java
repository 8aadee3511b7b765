package dev.ephemera.lease;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How revocation retries: exponential backoff with jitter on the upper half, so a backend that comes
 * back is not hit by every pending revocation in the same millisecond; after {@code maxAttempts}
 * failures the lease is {@link LeaseState#IRREVOCABLE} and is retried every {@code slowRetry} (also
 * jittered) until it goes or an admin force-revokes it.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, double multiplier, int maxAttempts,
                          Duration slowRetry) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 12, Duration.ofMinutes(15));

    public RetryPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("retry policy needs 0 < initialDelay <= maxDelay and multiplier >= 1");
        }
        if (maxAttempts < 1 || slowRetry.isNegative() || slowRetry.isZero()) {
            throw new IllegalArgumentException("retry policy needs maxAttempts >= 1 and a positive slowRetry");
        }
    }

    /** Whether a lease that failed this many times has become irrevocable. */
    public boolean exhausted(int failedAttempts) {
        return failedAttempts >= maxAttempts;
    }

    /** Delay before attempt {@code failedAttempts + 1}, given {@code failedAttempts >= 1} failures so far. */
    public Duration delayAfter(int failedAttempts, RandomGenerator random) {
        double ceiling;
        if (exhausted(failedAttempts)) {
            ceiling = slowRetry.toMillis();
        } else {
            double exponent = Math.min(Math.max(failedAttempts - 1, 0), 62);
            ceiling = Math.min(initialDelay.toMillis() * Math.pow(multiplier, exponent), maxDelay.toMillis());
        }
        long jittered = (long) (ceiling / 2 + random.nextDouble() * ceiling / 2);
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
