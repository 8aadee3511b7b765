package dev.ephemera.legacy.proxy.pg;

import dev.ephemera.legacy.proxy.ProxyAudit;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Refusals as the audit sees them, bounded: the first refusal of a reason in an interval is
 * reported at once, the others of that interval in one summary with their count and the last
 * client, so that connections opened only to be refused cannot flood the log.
 */
final class RefusalLog {
    /** Reasons are the proxy's own texts, a few dozen; past this many in one interval they share a line. */
    static final int MAX_REASONS = 256;
    static final String OTHER = "other refusals";

    private final ProxyAudit audit;
    private final String protocol;
    private final Duration interval;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final AtomicInteger more = new AtomicInteger();
        volatile String lastClient;
    }

    RefusalLog(ProxyAudit audit, String protocol, Duration interval, ScheduledExecutorService timer) {
        this.audit = audit;
        this.protocol = protocol;
        this.interval = interval;
        long millis = interval.toMillis();
        timer.scheduleAtFixedRate(this::summarise, millis, millis, TimeUnit.MILLISECONDS);
    }

    void refused(String client, String reason) {
        String key = windows.size() >= MAX_REASONS && !windows.containsKey(reason) ? OTHER : reason;
        boolean[] first = {false};
        Window window = windows.computeIfAbsent(key, k -> {
            first[0] = true;
            return new Window();
        });
        if (first[0]) {
            audit.refused(protocol, client, reason);
        } else {
            window.lastClient = client;
            window.more.incrementAndGet();
        }
    }

    private String span() {
        long millis = interval.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /** Ends the interval: one line per reason refused again since its first report. */
    void summarise() {
        for (String reason : windows.keySet()) {
            Window window = windows.remove(reason);
            int more = window == null ? 0 : window.more.get();
            if (more > 0) {
                audit.refused(protocol, window.lastClient, reason + " (" + more + " more in the last " + span()
                        + ", the last from this client)");
            }
        }
    }
}
