package dev.ephemera.server.support;

import java.time.Duration;

/** Polls a condition that the system under test makes true asynchronously. */
public final class Eventually {
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Eventually() {
    }

    /** Returns how long it took; fails the test with {@code what} if it did not happen in time. */
    public static Duration within(Duration limit, String what, Condition condition) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
            }
            Thread.sleep(50);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
