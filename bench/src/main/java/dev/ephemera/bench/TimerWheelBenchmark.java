package dev.ephemera.bench;

import dev.ephemera.lease.wheel.TimerWheel;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The lease timer wheel with {@code pending} timers armed, deadlines uniformly random from 1 s to
 * 1 day ahead (the workload of issue #3). Every operation leaves the population unchanged, so each
 * measurement sees the same wheel. A binary heap ({@link PriorityQueue}) on the same workload is
 * the peer measured in the same run; it has no O(1) cancel, so it only joins schedule and expire.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TimerWheelBenchmark {
    private static final long SECOND = 1_000;
    private static final long DAY = 86_400_000;
    /** Timers expired per {@code expire} invocation: one second of a million-timer day, ~12 timers, is too few. */
    private static final int EXPIRE_BATCH = 1_024;

    @Param("1000000")
    int pending;

    private TimerWheel wheel;
    private long[] handles;
    private long now;
    private SplittableRandom random;
    private int cursor;
    private PriorityQueue<long[]> heap;

    @Setup(Level.Trial)
    public void fill() {
        random = new SplittableRandom(42);
        wheel = new TimerWheel(0, pending);
        handles = new long[pending];
        heap = new PriorityQueue<>(pending, (a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < pending; i++) {
            long deadline = delay();
            handles[i] = wheel.schedule(deadline, i);
            heap.add(new long[] {deadline, i});
        }
    }

    private long delay() {
        return now + random.nextLong(SECOND, DAY);
    }

    /** Arms one timer and disarms it again (cost of the pair; see {@code cancel} for the second half). */
    @Benchmark
    public long scheduleAndCancel() {
        long handle = wheel.schedule(delay(), 7);
        wheel.cancel(handle);
        return handle;
    }

    /** Disarms a random pending timer and arms its replacement in the same slot of the population. */
    @Benchmark
    public boolean cancelAndReplace() {
        int i = random.nextInt(pending);
        boolean cancelled = wheel.cancel(handles[i]);
        handles[i] = wheel.schedule(delay(), i);
        return cancelled;
    }

    /** Renews a random pending lease in place: the handle stays, only the deadline moves. */
    @Benchmark
    public boolean renewRandom() {
        return wheel.reschedule(handles[random.nextInt(pending)], delay());
    }

    /**
     * Advances time until {@value #EXPIRE_BATCH} timers have fired, re-arming each fired timer a random
     * delay ahead so the population stays at {@code pending}: per-timer cost of expiry (cascades
     * included) plus one schedule.
     */
    @Benchmark
    @OperationsPerInvocation(EXPIRE_BATCH)
    public void expire(Blackhole blackhole) {
        int fired = 0;
        while (fired < EXPIRE_BATCH) {
            long next = Math.max(wheel.nextDeadlineLowerBound(), now);
            now = next;
            fired += wheel.advance(next, EXPIRE_BATCH - fired, (payload, deadline) -> {
                handles[(int) payload] = wheel.schedule(delay(), payload);
                blackhole.consume(deadline);
            });
        }
    }

    /** Peer: a binary heap doing the same schedule + remove-earliest pair. */
    @Benchmark
    public long[] heapScheduleAndPoll() {
        heap.add(new long[] {delay(), 7});
        return heap.poll();
    }
}
