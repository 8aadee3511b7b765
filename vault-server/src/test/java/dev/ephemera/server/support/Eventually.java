package dev.ephemera.server.support;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/** Polls a condition that the system under test makes true asynchronously, up to a deadline. */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(50);

    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> find() throws Exception;
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
            pause(POLL.toNanos());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** What {@code probe} finds once it finds something; fails the test with {@code what} if nothing came in time. */
    public static <T> T found(Duration limit, String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Optional<T> found = probe.find(); ; found = probe.find()) {
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
            }
            pause(POLL.toNanos());
        }
    }

    /**
     * Returns once the system clock reads {@code instant} or later: for a moment the system under
     * test itself measures on that clock (an overlap that must have passed), not a guess at a delay.
     */
    public static void until(Instant instant) throws InterruptedException {
        for (Duration left = Duration.between(Instant.now(), instant); left.isPositive();
             left = Duration.between(Instant.now(), instant)) {
            pause(left.toNanos());
        }
    }

    private static void pause(long nanos) throws InterruptedException {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
