package dev.ephemera.bench;

import dev.ephemera.lease.wheel.TimerWheel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.SplittableRandom;

/**
 * Heap bytes per pending timer for each implementation: the retained heap after GC with one million
 * timers armed, minus the heap before, divided by the count (the caller's handle table included, as
 * each implementation needs one). Then our wheel's own arrays, after filling and after 36 simulated
 * hours of churn in which every fired timer is re-armed. Run:
 * {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.ephemera.bench.Footprint}.
 */
public final class Footprint {
    private static final long DAY = 86_400_000;

    private Footprint() {
    }

    public static void main(String[] args) throws Exception {
        int pending = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String[] impls = {"ephemera", "agrona", "caffeine", "kafka", "netty", "jdk"};
        System.out.printf("%-10s %14s%n", "impl", "bytes/timer");
        for (String impl : impls) {
            long before = usedAfterGc();
            SplittableRandom random = new SplittableRandom(42);
            long start = 1_700_000_000_000L;
            try (TimerPeer peer = TimerPeer.filled(impl, pending, 0, start, () -> random.nextLong(1_000, DAY))) {
                long after = usedAfterGc();
                System.out.printf("%-10s %14.1f%n", impl, (after - before) / (double) pending);
                java.lang.ref.Reference.reachabilityFence(peer);
            }
        }
        wheelAlone(pending);
    }

    private static void wheelAlone(int pending) {
        long start = 1_700_000_000_000L;
        SplittableRandom random = new SplittableRandom(42);
        TimerWheel wheel = new TimerWheel(start, pending);
        for (int i = 0; i < pending; i++) {
            wheel.schedule(start + random.nextLong(1_000, DAY));
        }
        System.out.printf("ephemera wheel arrays alone: %.1f bytes/timer filled", wheel.footprintBytes() / (double) wheel.size());
        long now = start;
        for (int step = 0; step < 36 * 3600; step += 10) {
            long t = now += 10_000;
            wheel.advance(t, Integer.MAX_VALUE, (handle, deadline) -> wheel.schedule(t + random.nextLong(1_000, DAY)));
        }
        System.out.printf(", %.1f after 36 h of churn%n", wheel.footprintBytes() / (double) wheel.size());
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
