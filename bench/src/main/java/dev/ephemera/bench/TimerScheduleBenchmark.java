package dev.ephemera.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Schedule and cancel measured apart, on the workload of {@link TimerBenchmark}: each invocation
 * arms (or disarms) {@value #BATCH} timers beside the million pending; the untimed fixture undoes it
 * (or prepares it), so the population stays put.
 */
public class TimerScheduleBenchmark extends TimerWorkload {
    static final int BATCH = 10_000;

    @State(Scope.Thread)
    public abstract static class Timers {
        @Param({"ephemera", "agrona", "caffeine", "kafka", "netty", "jdk"})
        String impl;

        @Param("1000000")
        int pending;

        TimerPeer peer;
        private SplittableRandom random;
        final TimerPeer.Delays delays = () -> random.nextLong(SECOND, DAY);

        @Setup(Level.Trial)
        public void fill() {
            random = new SplittableRandom(42);
            peer = TimerPeer.filled(impl, pending, BATCH, START, delays);
        }

        @TearDown(Level.Trial)
        public void close() {
            peer.close();
        }
    }

    /** The batch is not armed before the measurement and is disarmed after it. */
    public static class Unarmed extends Timers {
        @TearDown(Level.Invocation)
        public void disarm() {
            for (int i = 0; i < BATCH; i++) {
                peer.cancel(pending + i);
            }
        }
    }

    /** The batch is armed before the measurement. */
    public static class Armed extends Timers {
        @Setup(Level.Invocation)
        public void arm() {
            for (int i = 0; i < BATCH; i++) {
                peer.schedule(pending + i, START + delays.next());
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void schedule(Unarmed timers) {
        for (int i = 0; i < BATCH; i++) {
            timers.peer.schedule(timers.pending + i, START + timers.delays.next());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void cancel(Armed timers) {
        for (int i = 0; i < BATCH; i++) {
            timers.peer.cancel(timers.pending + i);
        }
    }
}
