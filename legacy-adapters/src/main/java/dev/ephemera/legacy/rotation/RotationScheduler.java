package dev.ephemera.legacy.rotation;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduled rotations one at a time, at least {@code gap} apart, so that no two accounts ever
 * rotate at the same instant even when their slots coincide; {@link #rotateNow} puts a secret at
 * the head of the line. {@link #tick} does the due work; a server calls it from one thread.
 */
public final class RotationScheduler {
    private static final Logger log = LoggerFactory.getLogger(RotationScheduler.class);

    /** A secret to rotate: tenant and id. */
    public record Entry(String tenant, String id) {}

    private record Due(Entry entry, Instant at) {}

    /** What a due entry runs: a plain rotation, or whatever else an entry may stand for (a blue/green pair). */
    @FunctionalInterface
    public interface Rotation {
        Rotator.Outcome rotate(String tenant, String id) throws RotationException;
    }

    private final Rotation rotation;
    private final InstantSource clock;
    private final Duration gap;
    private final Map<Entry, RotationSchedule> schedules = new ConcurrentHashMap<>();
    private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparing(Due::at));
    private Instant lastRun = Instant.MIN;

    public RotationScheduler(Rotator rotator, InstantSource clock, Duration gap) {
        this(rotator::rotate, clock, gap);
    }

    public RotationScheduler(Rotation rotation, InstantSource clock, Duration gap) {
        this.rotation = rotation;
        this.clock = clock;
        this.gap = gap;
    }

    /** Schedules (or reschedules) a secret last rotated at {@code lastRotation}. */
    public synchronized void schedule(Entry entry, RotationSchedule schedule, Instant lastRotation) {
        schedules.put(entry, schedule);
        queue.removeIf(due -> due.entry().equals(entry));
        queue.add(new Due(entry, schedule.next(entry.id(), lastRotation)));
    }

    /** Stops rotating a secret on a schedule. */
    public synchronized void unschedule(Entry entry) {
        schedules.remove(entry);
        queue.removeIf(due -> due.entry().equals(entry));
    }

    /** When this secret is next due, or null when it is not scheduled. */
    public synchronized Instant dueOf(Entry entry) {
        return queue.stream().filter(due -> due.entry().equals(entry)).map(Due::at).findFirst().orElse(null);
    }

    public synchronized void rotateNow(Entry entry) {
        queue.removeIf(due -> due.entry().equals(entry));
        queue.add(new Due(entry, Instant.MIN));
    }

    /** When the next rotation is due, if any is scheduled. */
    public synchronized Instant nextDue() {
        return queue.isEmpty() ? null : queue.peek().at();
    }

    /**
     * Runs every rotation that is due, one after another, each at least {@code gap} after the
     * previous; returns what ran. A rotation that fails is scheduled again a period later.
     */
    public List<Rotator.Outcome> tick() {
        List<Rotator.Outcome> outcomes = new ArrayList<>();
        while (true) {
            Due due;
            synchronized (this) {
                Instant now = clock.instant();
                if (queue.isEmpty() || queue.peek().at().isAfter(now) || now.isBefore(lastRun.plus(gap))) {
                    return outcomes;
                }
                due = queue.poll();
                lastRun = now;
            }
            Rotator.Outcome outcome;
            try {
                outcome = rotation.rotate(due.entry().tenant(), due.entry().id());
            } catch (RotationException e) {
                log.error("scheduled rotation of {} (tenant {}) could not run: {}", due.entry().id(), due.entry().tenant(),
                        e.getMessage());
                reschedule(due.entry(), clock.instant());
                continue;
            }
            outcomes.add(outcome);
            reschedule(due.entry(), clock.instant());
        }
    }

    private synchronized void reschedule(Entry entry, Instant from) {
        RotationSchedule schedule = schedules.get(entry);
        if (schedule != null) {
            queue.add(new Due(entry, schedule.next(entry.id(), from)));
        }
    }
}
