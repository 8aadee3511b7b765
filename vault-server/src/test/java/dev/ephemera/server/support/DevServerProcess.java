package dev.ephemera.server.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code ephemera server --dev --demo-postgres} in a JVM of its own, as a user runs it, so that a
 * test can kill it as the kernel would ({@code kill -9}: no shutdown hook runs) and start it again
 * on the same data directory. Its HOME is the test's, so its {@code ~/.ephemera/dev.env} is too.
 */
public final class DevServerProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private final Process process;
    private final Path log;
    private final Map<String, String> env;

    private DevServerProcess(Process process, Path log, Map<String, String> env) {
        this.process = process;
        this.log = log;
        this.env = env;
    }

    /** Starts it and returns once it has written its {@code dev.env} (the variables are those of this run). */
    public static DevServerProcess start(Path dataDir, Path home, String name) throws Exception {
        Path devEnv = home.resolve(".ephemera").resolve("dev.env");
        Files.deleteIfExists(devEnv);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx384m"));
        String workingDir = System.getProperty("ot.epg.working-dir");
        if (workingDir != null) {
            command.add("-Dot.epg.working-dir=" + workingDir); // the binaries this build has unpacked already
        }
        command.addAll(List.of("-cp", classpath, "dev.ephemera.server.cli.EphemeraCli",
                "server", "--dev", "--demo-postgres", "--data-dir", dataDir.toString(), "--port", "0"));
        Path log = home.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!Files.exists(devEnv)) {
            if (!process.isAlive()) {
                throw new AssertionError("the dev server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the dev server did not come up in " + START_LIMIT + ":\n" + Files.readString(log));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if it exits
        }
        Map<String, String> env = Files.readAllLines(devEnv).stream()
                .map(line -> line.replaceFirst("^export ", "").split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        return new DevServerProcess(process, log, env);
    }

    /** A variable of its {@code dev.env}: EPHEMERA_ADDR, EPHEMERA_ADMIN_TOKEN, EPHEMERA_WORKLOAD_TOKEN. */
    public String env(String name) {
        return env.get(name);
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** {@code kill -9}: the JVM ends at once and runs no shutdown hook. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the dev server survived SIGKILL");
        }
    }

    /** A normal stop (SIGTERM: its shutdown hooks stop the demo PostgreSQL). */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
