package dev.ephemera.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

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
public class TimerBenchmark extends TimerWorkload {

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
