package dev.ephemera.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * HAProxy (Debian's package, when installed) as a plain TCP relay in front of PostgreSQL: no TLS,
 * no login, no parsing, epoll and two threads. Its ratio to direct PostgreSQL without TLS is the
 * floor any proxy hop costs on this machine, whatever the proxy does on top.
 */
final class HaproxyPeer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final int port;

    private HaproxyPeer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Empty when HAProxy is not installed. */
    static Optional<HaproxyPeer> start(Path dir, int upstreamPort) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path home = Files.createDirectories(dir.resolve("haproxy"));
        Path config = home.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                  maxconn 256
                  nbthread 2
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 1h
                  timeout server 1h
                frontend agents
                  bind 127.0.0.1:%d
                  default_backend postgres
                backend postgres
                  server postgres 127.0.0.1:%d
                """.formatted(port, upstreamPort));
        Process process = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("stdout.txt").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return Optional.of(new HaproxyPeer(process, port));
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IOException("haproxy did not start; see " + home);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
    }
}
