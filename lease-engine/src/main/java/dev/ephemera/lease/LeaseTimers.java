package dev.ephemera.lease;

import dev.ephemera.lease.wheel.TimerWheel;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Arms one timer per live lease. Single writer: only the {@code ephemera-lease-timers} thread touches
 * the wheel and its index; other threads hand it commands through a bounded queue and unpark it, so
 * callers never wait on each other for the wheel. When the queue is full, callers wait for room:
 * a flood of grants slows down rather than growing the heap without bound.
 */
final class LeaseTimers implements AutoCloseable {
    /** Bounds the work per wheel advance so a storm of expiries never starves the command queue. */
    private static final int EXPIRIES_PER_ADVANCE = 10_000;
    private static final long MAX_PARK_MILLIS = 1_000;
    private static final int QUEUE_CAPACITY = 65_536;

    private sealed interface Command permits Arm, Disarm {}
    private record Arm(String leaseId, long deadlineMillis) implements Command {}
    private record Disarm(String leaseId) implements Command {}

    private final InstantSource clock;
    private final Consumer<String> onExpiry;
    private final CommandQueue<Command> commands = new CommandQueue<>(QUEUE_CAPACITY);
    private final TimerWheel wheel;
    private final LeaseTimerIndex index = new LeaseTimerIndex();
    private final List<String> expired = new ArrayList<>();
    private final Thread thread;
    private volatile int pending;
    private volatile boolean running = true;

    LeaseTimers(InstantSource clock, Consumer<String> onExpiry) {
        this.clock = clock;
        this.onExpiry = onExpiry;
        this.wheel = new TimerWheel(clock.millis(), 1024);
        this.thread = Thread.ofPlatform().name("ephemera-lease-timers").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Arms the lease's timer, or moves it if one is armed already. */
    void arm(String leaseId, Instant deadline) {
        if (!LeaseTimerIndex.fits(leaseId)) {
            throw new IllegalArgumentException("lease id too long or not ASCII");
        }
        // Rounded up: a timer that fired in the millisecond before a sub-millisecond expiry would find
        // the lease still active and have to be armed again.
        long millis = deadline.toEpochMilli() + (deadline.getNano() % 1_000_000 == 0 ? 0 : 1);
        submit(new Arm(leaseId, millis));
    }

    void disarm(String leaseId) {
        submit(new Disarm(leaseId));
    }

    int pending() {
        return pending;
    }

    private void submit(Command command) {
        while (!commands.offer(command)) {
            LockSupport.unpark(thread);
            LockSupport.parkNanos(10_000);
        }
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            drainCommands();
            wheel.advance(clock.millis(), EXPIRIES_PER_ADVANCE, this::collectExpired);
            pending = wheel.size();
            for (String leaseId : expired) {
                onExpiry.accept(leaseId);
            }
            boolean moreDue = expired.size() == EXPIRIES_PER_ADVANCE;
            expired.clear();
            if (moreDue || !commands.isEmpty()) {
                continue;
            }
            long now = clock.millis();
            long next = wheel.nextDeadlineLowerBound();
            long sleep = next == Long.MAX_VALUE ? MAX_PARK_MILLIS : Math.clamp(next - now, 0, MAX_PARK_MILLIS);
            if (sleep > 0) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(sleep));
            }
        }
    }

    private void drainCommands() {
        Command command;
        while ((command = commands.poll()) != null) {
            switch (command) {
                case Arm(String leaseId, long deadline) -> {
                    long armed = index.handleOf(leaseId);
                    if (armed == 0 || !wheel.reschedule(armed, deadline)) {
                        index.put(leaseId, wheel.schedule(deadline));
                    }
                }
                case Disarm(String leaseId) -> {
                    long handle = index.remove(leaseId);
                    if (handle != 0) {
                        wheel.cancel(handle);
                    }
                }
            }
        }
    }

    private void collectExpired(long handle, long deadline) {
        expired.add(index.removeFired(handle));
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
