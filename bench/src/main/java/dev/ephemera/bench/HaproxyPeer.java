package dev.ephemera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * HAProxy (Debian's package, when installed) as a plain TCP relay in front of PostgreSQL: no TLS,
 * no login, no parsing, epoll and two threads. Its ratio to direct PostgreSQL without TLS is the
 * floor any proxy hop costs on this machine, whatever the proxy does on top.
 */
final class HaproxyPeer {
    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private HaproxyPeer() {
    }

    /** Empty when HAProxy is not installed. */
    static Optional<PeerProcess> start(Path dir, int upstreamPort) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        int port = PeerProcess.freePort();
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
        return Optional.of(PeerProcess.start(List.of(BINARY.toString(), "-db", "-f", config.toString()), home, port));
    }
}
