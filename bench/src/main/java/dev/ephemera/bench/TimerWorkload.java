package dev.ephemera.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the timer benchmarks share, so every peer runs the same workload under the same settings:
 * the run's shape (JMH inherits these annotations) and a fixed timeline that does not depend on the
 * wall clock.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
abstract class TimerWorkload {
    static final long SECOND = 1_000;
    static final long DAY = 86_400_000;
    /** November 2023. */
    static final long START = 1_700_000_000_000L;
}
