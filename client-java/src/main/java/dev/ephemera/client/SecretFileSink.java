package dev.ephemera.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Writes each version of a secret to a file for an application that reads its configuration
 * from disk, then optionally runs a hook (e.g. a reload command). A {@link SecretWatcher}
 * listener: {@code watcher.addListener(sink)}.
 *
 * <p>The file is replaced atomically, so a reader sees the old content or the new, never a part:
 * the content goes to a temporary file in the same directory, readable and writable by the owner
 * only where the file system is POSIX, is synced to disk, and is renamed over the target.
 *
 * <p>The hook is an argument list run without a shell. It learns of the change through
 * {@code EPHEMERA_SECRET_ID}, {@code EPHEMERA_SECRET_VERSION} and {@code EPHEMERA_SECRET_FILE} in
 * its environment; the value itself is never in its arguments or environment. Its output is
 * discarded, its exit status and the start of its stderr are logged (with the value masked,
 * should the hook print it), and it is killed after its time limit.
 */
public final class SecretFileSink implements Consumer<SecretVersion> {

    private static final System.Logger LOG = System.getLogger(SecretFileSink.class.getName());
    /** Enough stderr to say why a hook failed; a chatty hook cannot fill the log. */
    private static final int MAX_STDERR = 4096;
    private static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(30);

    private final Path target;
    private final Function<SecretVersion, byte[]> format;
    private final List<String> hook;
    private final Duration hookTimeout;

    private SecretFileSink(Path target, Function<SecretVersion, byte[]> format, List<String> hook, Duration hookTimeout) {
        this.target = target;
        this.format = format;
        this.hook = hook;
        this.hookTimeout = hookTimeout;
    }

    /** A sink writing to {@code target}, by default the value alone ({@link SecretFormat#value()}). */
    public static Builder builder(Path target) {
        return new Builder(target);
    }

    public Path target() {
        return target;
    }

    /**
     * Writes the version, then runs the hook if there is one.
     *
     * @throws UncheckedIOException if the file cannot be written; the hook is not run then
     */
    @Override
    public void accept(SecretVersion version) {
        try {
            write(version);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write version " + version.version() + " of secret " + version.id()
                    + " to " + target + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "wrote version {0} of secret {1} to {2}", version.version(), version.id(), target);
        if (!hook.isEmpty()) {
            runHook(version);
        }
    }

    private void write(SecretVersion version) throws IOException {
        byte[] content = format.apply(version);
        try {
            Path directory = target.toAbsolutePath().getParent();
            Path temp = createOwnerOnly(directory);
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(content);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            syncDirectory(directory);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private Path createOwnerOnly(Path directory) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        if (Files.getFileStore(directory).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return Files.createTempFile(directory, prefix, ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        }
        // Elsewhere (Windows) a temporary file is created with restricted access already.
        return Files.createTempFile(directory, prefix, ".tmp");
    }

    /** Makes the rename itself durable; only POSIX systems can open a directory for this. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot sync directory {0}: {1}", directory, e.getMessage());
        }
    }

    private void runHook(SecretVersion version) {
        String program = hook.getFirst();
        ProcessBuilder builder = new ProcessBuilder(hook).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("EPHEMERA_SECRET_ID", version.id());
        builder.environment().put("EPHEMERA_SECRET_VERSION", Integer.toString(version.version()));
        builder.environment().put("EPHEMERA_SECRET_FILE", target.toAbsolutePath().toString());
        Process process;
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "hook {0} for secret {1} did not start: {2}", program, version.id(), e.getMessage());
            return;
        }
        StderrHead stderr = new StderrHead();
        Thread reader = Thread.ofVirtual().name("ephemera-hook-stderr").start(() -> stderr.drain(process.getErrorStream()));
        try {
            if (!process.waitFor(hookTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                LOG.log(Level.WARNING, "hook {0} for version {1} of secret {2} did not finish within {3}; killed", program,
                        version.version(), version.id(), hookTimeout);
                return;
            }
            // A child the hook left behind may hold stderr open; the log does not wait for it.
            reader.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return;
        }
        String errors = stderr.text(version.value());
        String detail = errors.isEmpty() ? "" : "; stderr: " + errors;
        if (process.exitValue() == 0) {
            LOG.log(Level.INFO, "hook {0} ran for version {1} of secret {2}{3}", program, version.version(), version.id(), detail);
        } else {
            LOG.log(Level.WARNING, "hook {0} for version {1} of secret {2} exited with status {3}{4}", program,
                    version.version(), version.id(), process.exitValue(), detail);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "SecretFileSink[target=" + target + ", hook=" + (hook.isEmpty() ? "none" : hook.getFirst()) + "]";
    }

    /** The first {@link #MAX_STDERR} bytes of the hook's stderr; the rest is read and dropped. */
    private static final class StderrHead {
        private final byte[] head = new byte[MAX_STDERR];
        private int length;

        void drain(InputStream in) {
            byte[] chunk = new byte[1024];
            try (in) {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    keep(chunk, n);
                }
            } catch (IOException e) {
                // The stream closes when the hook is killed; what was read is kept.
            }
        }

        private synchronized void keep(byte[] chunk, int n) {
            int kept = Math.min(n, head.length - length);
            System.arraycopy(chunk, 0, head, length, kept);
            length += kept;
        }

        /** The text on one line, with the secret masked should the hook have printed it. */
        synchronized String text(String secret) {
            String text = new String(head, 0, length, StandardCharsets.UTF_8).replace(secret, "***");
            return text.replaceAll("\\p{Cntrl}+", " ").strip();
        }
    }

    /** Builds a {@link SecretFileSink}. */
    public static final class Builder {

        private final Path target;
        private Function<SecretVersion, byte[]> format = SecretFormat.value();
        private List<String> hook = List.of();
        private Duration hookTimeout = DEFAULT_HOOK_TIMEOUT;

        private Builder(Path target) {
            Objects.requireNonNull(target, "target must not be null");
            if (target.getFileName() == null) {
                throw new IllegalArgumentException("target must name a file, got " + target);
            }
            this.target = target;
        }

        /**
         * What to write, e.g. {@link SecretFormat#keyValue}. The function must return a fresh
         * array: it is zeroed once written.
         */
        public Builder format(Function<SecretVersion, byte[]> format) {
            this.format = Objects.requireNonNull(format, "format must not be null");
            return this;
        }

        /**
         * A command run after each write, e.g. {@code List.of("systemctl", "reload", "orders")},
         * killed if it runs longer than {@code timeout}.
         */
        public Builder hook(List<String> command, Duration timeout) {
            Objects.requireNonNull(command, "command must not be null");
            if (command.isEmpty() || command.stream().anyMatch(Objects::isNull) || command.getFirst().isBlank()) {
                throw new IllegalArgumentException("command must name a program and hold no null argument");
            }
            this.hook = List.copyOf(command);
            this.hookTimeout = Args.positive(timeout, "timeout");
            return this;
        }

        public SecretFileSink build() {
            return new SecretFileSink(target, format, hook, hookTimeout);
        }
    }
}
