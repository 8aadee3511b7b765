package dev.ephemera.lease;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when the test moves it, so an expiry or a retry happens because the test
 * let its time come, never because the machine was slow. The engine's threads still wait in real
 * time between looks at the clock: after an advance, wait for what it causes.
 */
final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now;

    ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + by);
        }
        now.accumulateAndGet(null, (current, ignored) -> current.plus(by));
    }
}
