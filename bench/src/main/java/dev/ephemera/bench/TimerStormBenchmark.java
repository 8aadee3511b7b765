package dev.ephemera.bench;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A revocation storm in the timer alone: {@code pending} timers armed 10 minutes ahead, all due in
 * the same second, then one catch-up to the end of that second. Reported per timer fired; filling the
 * timer (untimed) is redone before every measured catch-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class TimerStormBenchmark {
    private static final long START = TimerWorkload.START;
    private static final long DUE = START + 600_000;
    private static final int PENDING = 1_000_000;

    /**
     * Agrona is left out: its wheel sizes every one of its 4,096 tick arrays for the fullest tick,
     * so a million timers in one tick asks for ~32 GB and fails with OutOfMemoryError in a 3 GB heap.
     */
    @Param({"ephemera", "caffeine"})
    String impl;

    private TimerPeer peer;

    @Setup(Level.Invocation)
    public void fill() {
        SplittableRandom random = new SplittableRandom(42);
        peer = TimerPeer.create(impl, PENDING, START);
        for (int i = 0; i < PENDING; i++) {
            peer.schedule(i, DUE + random.nextLong(1_000));
        }
    }

    @TearDown(Level.Invocation)
    public void close() {
        peer.close();
    }

    @Benchmark
    @OperationsPerInvocation(PENDING)
    public int expireAll() {
        int fired = peer.expire(DUE + 1_000, Integer.MAX_VALUE, null);
        if (fired != PENDING) {
            throw new IllegalStateException(impl + " fired " + fired + " of " + PENDING);
        }
        return fired;
    }
}
