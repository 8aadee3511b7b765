package dev.ephemera.legacy.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.legacy.proxy.ProxyAudit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private static final Pattern MORE = Pattern.compile("\\((\\d+) more in the last 200 ms");

    @Test
    void aFloodOfRefusalsIsReportedOnceAtOnceThenSummarisedWithItsCount() throws Exception {
        BlockingQueue<String> audited = new LinkedBlockingQueue<>();
        ProxyAudit audit = ProxyAudit.refusalsTo(audited::add);
        List<String> lines = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            RefusalLog log = new RefusalLog(audit, "postgresql", Duration.ofMillis(200), timer);
            for (int i = 0; i < 1_000; i++) {
                log.refused("10.0.0." + i % 250 + ":5000", "too many connections in their handshake from this address (32)");
            }
            log.refused("10.0.0.9:5000", "lease token refused: no live lease");
            audited.drainTo(lines);

            assertThat(lines).startsWith("too many connections in their handshake from this address (32)",
                    "lease token refused: no live lease");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (reported(lines, "too many connections") < 1_000) {
                String line = audited.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(line).as("every refusal is counted in a summary").isNotNull();
                lines.add(line);
            }
            audited.drainTo(lines);
            assertThat(reported(lines, "too many connections")).isEqualTo(1_000);
            assertThat(reported(lines, "lease token refused")).isEqualTo(1);
            // At most a first report and a summary per reason and interval; the loop spans one or two intervals.
            assertThat(lines).hasSizeLessThanOrEqualTo(5);
        } finally {
            timer.shutdownNow();
        }
    }

    /** Refusals of a reason the lines account for: one per first report, the count of each summary. */
    private static int reported(List<String> lines, String reason) {
        int count = 0;
        for (String line : lines) {
            if (line.startsWith(reason)) {
                Matcher more = MORE.matcher(line);
                count += more.find() ? Integer.parseInt(more.group(1)) : 1;
            }
        }
        return count;
    }
}
