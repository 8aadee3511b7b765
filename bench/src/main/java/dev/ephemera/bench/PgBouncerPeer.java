package dev.ephemera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * PgBouncer (Debian's package, when installed) as the peer of the PostgreSQL proxy in one run: the
 * same client TLS, the same SCRAM login upstream, session pooling, so that its ratio to direct
 * PostgreSQL says what any proxy costs on this machine. It runs as {@code nobody}, because PgBouncer
 * refuses to run as root.
 */
final class PgBouncerPeer {
    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private PgBouncerPeer() {
    }

    /** Empty when PgBouncer is not installed. */
    static Optional<PeerProcess> start(Path dir, int upstreamPort, String database, String role, String upstreamPassword,
                                         String clientPassword, Path certificate, Path key) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        int port = PeerProcess.freePort();
        Path home = Files.createDirectories(dir.resolve("pgbouncer"));
        Files.writeString(home.resolve("userlist.txt"), "\"%s\" \"%s\"%n".formatted(role, clientPassword));
        Files.writeString(home.resolve("pgbouncer.ini"), """
                [databases]
                %s = host=127.0.0.1 port=%d dbname=%s user=%s password=%s
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = scram-sha-256
                auth_file = %s
                pool_mode = session
                max_client_conn = 100
                default_pool_size = 20
                client_tls_sslmode = require
                client_tls_cert_file = %s
                client_tls_key_file = %s
                logfile = %s
                pidfile = %s
                """.formatted(database, upstreamPort, database, role, upstreamPassword, port, home.resolve("userlist.txt"),
                certificate, key, home.resolve("pgbouncer.log"), home.resolve("pgbouncer.pid")));
        for (Path path : new Path[] {dir, home, home.resolve("userlist.txt"), home.resolve("pgbouncer.ini"), certificate, key,
                certificate.getParent()}) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxrwxrwx" : "rw-rw-rw-"));
        }
        return Optional.of(PeerProcess.start(List.of(BINARY.toString(), "-u", "nobody", home.resolve("pgbouncer.ini").toString()),
                home, port));
    }
}
