package dev.ephemera.lease;

import dev.ephemera.lease.wheel.TimerWheel;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Arms one timer per live lease. Single writer: only the {@code ephemera-lease-timers} thread touches
 * the wheel and the maps below; other threads hand it commands through a queue and unpark it, so
 * callers never wait on each other for the wheel.
 */
final class LeaseTimers implements AutoCloseable {
    /** Bounds the work per wheel advance so a storm of expiries never starves the command queue. */
    private static final int EXPIRIES_PER_ADVANCE = 10_000;
    private static final long MAX_PARK_MILLIS = 1_000;

    private sealed interface Command permits Arm, Disarm {}
    private record Arm(String leaseId, long deadlineMillis) implements Command {}
    private record Disarm(String leaseId) implements Command {}

    private final InstantSource clock;
    private final Consumer<String> onExpiry;
    private final Queue<Command> commands = new ConcurrentLinkedQueue<>();
    private final TimerWheel wheel;
    private final Map<String, Long> handles = new HashMap<>();
    private final Map<Long, String> leaseIdsByPayload = new HashMap<>();
    private final List<String> expired = new ArrayList<>();
    private final Thread thread;
    private long nextPayload;
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
        submit(new Arm(leaseId, deadline.toEpochMilli()));
    }

    void disarm(String leaseId) {
        submit(new Disarm(leaseId));
    }

    int pending() {
        return pending;
    }

    private void submit(Command command) {
        commands.add(command);
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
                    Long handle = handles.get(leaseId);
                    if (handle == null || !wheel.reschedule(handle, deadline)) {
                        long payload = nextPayload++;
                        handles.put(leaseId, wheel.schedule(deadline, payload));
                        leaseIdsByPayload.put(payload, leaseId);
                    }
                }
                case Disarm(String leaseId) -> {
                    Long handle = handles.remove(leaseId);
                    if (handle != null) {
                        leaseIdsByPayload.remove(wheel.payloadOf(handle));
                        wheel.cancel(handle);
                    }
                }
            }
        }
    }

    private void collectExpired(long payload, long deadline) {
        String leaseId = leaseIdsByPayload.remove(payload);
        if (leaseId != null) {
            handles.remove(leaseId);
            expired.add(leaseId);
        }
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
