package dev.ephemera.lease;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition the engine gives no event for (a lease's state in the store, a counter),
 * looking again every few milliseconds until it holds or the deadline passes.
 */
final class Eventually {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Eventually() {
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, LIMIT, condition);
    }

    static void until(String what, Duration limit, BooleanSupplier condition) {
        if (!holdsWithin(limit, condition)) {
            throw new AssertionError("not within " + limit + ": " + what);
        }
    }

    /**
     * Moves the clock by {@code step} until the condition holds, waiting after each move for what it
     * caused. For events the engine arms on the clock just after something the test can see (a retry
     * armed after its failure is recorded): a move that lands before the arm is followed by another.
     */
    static void advancingUntil(ManualClock clock, Duration step, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT + " of advancing the clock: " + what);
            }
            clock.advance(step);
            holdsWithin(Duration.ofSeconds(1), condition);
        }
    }

    private static boolean holdsWithin(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }
}
