package dev.ephemera.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter: attempt {@code n} waits between half and all of
 * {@code min(max, initial * 2^n)}. The jitter keeps a fleet of consumers that lost the vault at
 * the same moment from coming back in one burst.
 */
record Backoff(Duration initial, Duration max) {

    static final Backoff DEFAULT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));

    Backoff {
        Args.positive(initial, "initial");
        Args.positive(max, "max");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is shorter than the initial " + initial);
        }
    }

    /** @param attempt 0 for the first retry */
    Duration delay(int attempt, RandomGenerator random) {
        long ceiling = max.toMillis();
        // Past 2^20 any sane initial delay is beyond the cap; the shift would overflow later.
        long base = Math.min(ceiling, initial.toMillis() << Math.min(Math.max(attempt, 0), 20));
        long half = base / 2;
        return Duration.ofMillis(half + random.nextLong(base - half + 1));
    }
}
