package dev.ephemera.server.support;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The in-process vault's threads, virtual ones included (its blocking requests run on those), for a
 * test that must know a request is being held before it acts (a long poll parked until a decision):
 * a positive event, where waiting a while would only guess.
 */
public final class ServerThreads {
    private ServerThreads() {
    }

    /** How many threads are inside {@code type}'s {@code method} right now, as a thread dump shows them. */
    public static long inside(Class<?> type, String method) {
        String frame = type.getName() + "." + method + "(";
        try {
            Path dir = Files.createTempDirectory("ephemera-threads-");
            Path dump = dir.resolve("threads.txt");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                try (var lines = Files.lines(dump)) {
                    return lines.filter(line -> line.contains(frame)).count();
                }
            } finally {
                Files.deleteIfExists(dump);
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
