package dev.ephemera.server.cli;

import dev.ephemera.server.EphemeraServer;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.dev.DevIssuer;
import dev.ephemera.server.dev.DevServer;
import dev.ephemera.server.domain.auth.Tokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The `ephemera` command line. */
public final class EphemeraCli {
    private static final String USAGE = """
            Usage: ephemera <command> [options]

            Commands:
              server --dev [--demo-postgres] [--data-dir DIR] [--port N] [--host H]
                  Start a dev server: embedded RocksDB (a fresh temporary directory unless --data-dir),
                  initialised and unsealed, with a dev workload issuer and a demo agent. --demo-postgres
                  also starts an embedded PostgreSQL and configures backend "demo" with role "readonly"
                  (kept in the data directory: a restart on it resumes the same database). The tokens go
                  to DIR/dev.env and to ~/.ephemera/dev.env (always the dev server started last).
              server --data-dir DIR --unseal-key-file FILE [--port N] [--host H]
                  Start a server on an existing or new data directory, unsealed with the key in FILE.
              dev-token --data-dir DIR [--subject S] [--ttl 1h]
                  Mint a workload token from a dev server's local issuer.
            """ + EscrowCommands.USAGE + """
              help
            """;
    private static final Set<String> FLAGS = Set.of("--dev", "--demo-postgres");

    private EphemeraCli() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, System.getenv(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out, err);
    }

    static int run(String[] args, Map<String, String> env, BufferedReader in, PrintStream out, PrintStream err) throws Exception {
        Deque<String> words = new ArrayDeque<>(List.of(args));
        String command = words.isEmpty() ? "help" : words.pop();
        if ("escrow".equals(command)) {
            try {
                return EscrowCommands.run(words, env, in, out, err);
            } catch (IllegalArgumentException e) {
                err.println("ephemera: " + e.getMessage());
                return 2;
            }
        }
        Map<String, String> options;
        try {
            options = parse(words);
        } catch (IllegalArgumentException e) {
            err.println("ephemera: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (command) {
                case "server" -> server(options, env, out, err);
                case "dev-token" -> devToken(options, out, err);
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("ephemera: unknown command '" + command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("ephemera: " + e.getMessage());
            return 2;
        } catch (EphemeraServer.StartFailure e) {
            err.println("ephemera: cannot start: " + e.getMessage());
            return 1;
        }
    }

    private static int server(Map<String, String> options, Map<String, String> env, PrintStream out, PrintStream err)
            throws Exception {
        String host = options.getOrDefault("--host", "127.0.0.1");
        int port = port(options.getOrDefault("--port", "8200"));
        AutoCloseable running;
        if (options.containsKey("--dev")) {
            Path dataDir = options.containsKey("--data-dir")
                    ? Path.of(options.get("--data-dir")).toAbsolutePath()
                    : Files.createTempDirectory("ephemera-dev-");
            running = DevServer.start(dataDir, host, port, options.containsKey("--demo-postgres"), out, Optional.of(latestDevEnv(env)));
        } else {
            if (!options.containsKey("--data-dir") || !options.containsKey("--unseal-key-file")) {
                err.println("ephemera: server needs --dev, or --data-dir and --unseal-key-file");
                return 2;
            }
            EphemeraServer server = EphemeraServer.start(Path.of(options.get("--data-dir")),
                    Path.of(options.get("--unseal-key-file")), host, port, Map.of());
            out.println("Ephemera is serving on " + server.address());
            server.bean(Tokens.class).bootstrapOperator().ifPresent(token -> out.println("""
                    This vault is new. Its first operator token (tenant "default"), shown once — keep it safe:

                      %s

                    Operators configure backends, roles and issuers, and issue admin tokens for tenants
                    (POST /v1/sys/admin-tokens).""".formatted(token)));
            running = server;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                err.println("ephemera: error while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
        return 0;
    }

    /** {@code ~/.ephemera/dev.env}, with {@code ~} as the shell reads it ($HOME), so that {@code source ~/.ephemera/dev.env} finds it. */
    static Path latestDevEnv(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home, ".ephemera", "dev.env");
    }

    private static int devToken(Map<String, String> options, PrintStream out, PrintStream err) {
        Path keyFile = Path.of(options.getOrDefault("--data-dir", ".")).resolve("dev-issuer.jwk");
        if (!Files.exists(keyFile)) {
            err.println("ephemera: no dev issuer key at " + keyFile + "; pass the dev server's --data-dir");
            return 2;
        }
        Duration ttl;
        try {
            ttl = Durations.parse("--ttl", options.getOrDefault("--ttl", "1h"));
        } catch (DomainException e) {
            err.println("ephemera: " + e.getMessage());
            return 2;
        }
        out.println(DevIssuer.loadOrCreate(keyFile).mint(options.getOrDefault("--subject", DevServer.DEMO_SUBJECT), ttl));
        return 0;
    }

    private static Map<String, String> parse(Deque<String> words) {
        Map<String, String> options = new HashMap<>();
        while (!words.isEmpty()) {
            String word = words.pop();
            if (FLAGS.contains(word)) {
                options.put(word, "true");
            } else if (word.startsWith("--") && !words.isEmpty()) {
                options.put(word, words.pop());
            } else {
                throw new IllegalArgumentException("unexpected argument '" + word + "'");
            }
        }
        return options;
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--port must be a number from 0 to 65535");
    }
}
