package dev.ephemera.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lease timers side by side (issue #3): each implementation holds {@code pending} timers with
 * deadlines uniformly random from 1 s to 1 day ahead, and every operation leaves the population
 * unchanged, so each measurement sees the same million timers.
 * <ul>
 *   <li>{@code scheduleCancel}: arm a timer and disarm it again (both while hot in cache);
 *   <li>{@code cancelRandom}: disarm a random pending timer and arm its replacement;
 *   <li>{@code renewRandom}: move a random pending timer to a new deadline (lease renewal);
 * </ul>
 * Expiry is in {@link TimerExpireBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class TimerBenchmark {
    private static final long SECOND = 1_000;
    private static final long DAY = 86_400_000;
    private static final long START = 1_700_000_000_000L;

    @Param({"ephemera", "agrona", "caffeine", "kafka", "netty", "jdk"})
    String impl;

    @Param("1000000")
    int pending;

    private TimerPeer peer;
    private SplittableRandom random;
    private final long now = START;
    private final TimerPeer.Delays delays = () -> random.nextLong(SECOND, DAY);

    @Setup(Level.Trial)
    public void fill() {
        random = new SplittableRandom(42);
        peer = TimerPeer.filled(impl, pending, 1, START, delays);
    }

    @TearDown(Level.Trial)
    public void close() {
        peer.close();
    }

    @Benchmark
    public void scheduleCancel() {
        peer.schedule(pending, now + delays.next());
        peer.cancel(pending);
    }

    @Benchmark
    public void cancelRandom() {
        int i = random.nextInt(pending);
        peer.cancel(i);
        peer.schedule(i, now + delays.next());
    }

    @Benchmark
    public void renewRandom() {
        peer.renew(random.nextInt(pending), now + delays.next());
    }
}
