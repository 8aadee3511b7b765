package dev.ephemera.server.dev;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A postmaster still running on a data directory whose owner died without stopping it: a vault
 * killed with {@code kill -9} runs no shutdown hook, and {@code pg_ctl} leaves the postmaster a
 * child of init. It holds the directory and the port, so a restart stops it first (fast shutdown:
 * its sessions end, nothing is lost) and then starts the same cluster again.
 */
final class OrphanPostmaster {
    private static final Logger log = LoggerFactory.getLogger(OrphanPostmaster.class);
    private static final long FAST_SHUTDOWN_SECONDS = 30;
    private static final long IMMEDIATE_SHUTDOWN_SECONDS = 10;
    /** The lock file io.zonky's EmbeddedPostgres keeps locked in the data directory while it runs the server. */
    private static final String OWNER_LOCK = "epg-lock";

    private OrphanPostmaster() {
    }

    static void stopIfRunning(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        // The embedded server holds this lock while its owner lives: a postmaster whose owner still runs is no orphan.
        try (FileChannel channel = FileChannel.open(dataDirectory.resolve(OWNER_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock owner = tryLock(channel)) {
            if (owner == null) {
                throw new IllegalStateException("the PostgreSQL in " + dataDirectory
                        + " belongs to a dev server that is still running; stop that one first");
            }
            stopOrphan(dataDirectory, pidFile);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            return null;
        }
    }

    private static void stopOrphan(Path dataDirectory, Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 2 || !lines.get(0).strip().matches("[0-9]{1,10}")) {
            return; // not ours to judge: PostgreSQL reads its own lock file at start
        }
        long pid = Long.parseLong(lines.get(0).strip());
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
                .filter(process -> isPostmasterOf(process, dataDirectory, Path.of(lines.get(1).strip())));
        if (postmaster.isEmpty()) {
            // A stale lock file whose pid another program may have taken meanwhile; PostgreSQL would refuse it.
            Files.deleteIfExists(pidFile);
            return;
        }
        log.warn("stopping the PostgreSQL (pid {}) a previous run left running on {}", pid, dataDirectory);
        if (!stop(postmaster.get(), "INT", FAST_SHUTDOWN_SECONDS) && !stop(postmaster.get(), "QUIT", IMMEDIATE_SHUTDOWN_SECONDS)) {
            throw new IllegalStateException("the PostgreSQL left running on " + dataDirectory + " (pid " + pid
                    + ") does not stop; stop it, then start again");
        }
    }

    /** The process is a postgres server and the lock file it wrote names this directory. */
    private static boolean isPostmasterOf(ProcessHandle process, Path dataDirectory, Path lockedDirectory) {
        boolean postgres = process.isAlive() && process.info().command()
                .map(command -> Path.of(command).getFileName().toString().equals("postgres")).orElse(false);
        try {
            return postgres && Files.isSameFile(lockedDirectory, dataDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code signal} (INT: fast shutdown, QUIT: immediate) and waits for the process to end. */
    private static boolean stop(ProcessHandle postmaster, String signal, long seconds) throws IOException {
        try {
            // The JDK sends only TERM (PostgreSQL's smart shutdown, which waits for every client) and KILL.
            new ProcessBuilder("kill", "-" + signal, Long.toString(postmaster.pid())).inheritIO().start().waitFor();
            postmaster.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for PostgreSQL pid " + postmaster.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + postmaster.pid(), e);
        }
    }
}
