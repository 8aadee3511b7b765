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
 * Expiry cost per timer, on the workload of {@link TimerBenchmark}: simulated time advances in 1 s
 * steps (how often the lease engine wakes when idle) until {@value #BATCH} timers have fired, each
 * fired timer re-armed 1 s to 1 day ahead so the population stays put. The figure is expiry plus one
 * schedule per timer. Only implementations a caller's clock can drive take part: Netty, Kafka and the
 * JDK fire on their own threads by the wall clock.
 */
@State(Scope.Thread)
public class TimerExpireBenchmark extends TimerWorkload {
    static final int BATCH = 1_024;

    @Param({"ephemera", "agrona", "caffeine"})
    String impl;

    @Param("1000000")
    int pending;

    private TimerPeer peer;
    private SplittableRandom random;
    private long now;
    private final TimerPeer.Delays delays = () -> random.nextLong(SECOND, DAY);

    @Setup(Level.Trial)
    public void fill() {
        random = new SplittableRandom(42);
        now = START;
        peer = TimerPeer.filled(impl, pending, 0, START, delays);
    }

    @TearDown(Level.Trial)
    public void close() {
        peer.close();
    }

    /** Caffeine cannot stop at a limit, so its batches may overshoot by a few timers (under 2 %). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int expire() {
        int fired = 0;
        while (fired < BATCH) {
            fired += peer.expire(now, BATCH - fired, delays);
            if (fired < BATCH) {
                now += SECOND;
            }
        }
        return fired;
    }
}
