package dev.ephemera.legacy.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An embedded PostgreSQL where every role but the superuser must prove its password by
 * SCRAM-SHA-256 over TCP, as a production server would ask of the vault's roles. The reload of
 * {@code pg_hba.conf} is asynchronous: callers wait until a wrong password is refused.
 */
public final class PasswordPostgres {
    private PasswordPostgres() {
    }

    public static EmbeddedPostgres start(String name) throws IOException, SQLException {
        Path data = Files.createTempDirectory("ephemera-" + name + "-pg-");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                .start();
        // The superuser keeps trust for the set-up.
        Files.writeString(data.resolve("pg_hba.conf"), """
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all all 127.0.0.1/32 scram-sha-256
                """);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
        return postgres;
    }
}
