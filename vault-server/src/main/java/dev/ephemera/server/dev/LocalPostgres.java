package dev.ephemera.server.dev;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.backend.postgres.SqlTemplate;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server run from the embedded binaries, with password (SCRAM) authentication on
 * TCP so that a wrong password really fails. Used by the dev server's demo and by the tests.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final String superuserPassword;

    private LocalPostgres(EmbeddedPostgres postgres, String superuserPassword) {
        this.postgres = postgres;
        this.superuserPassword = superuserPassword;
    }

    public static LocalPostgres start(Path dataDirectory) {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(true)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .start();
            String password = SecretGenerator.password(32);
            // The embedded server starts with trust auth (it needs it to see the server come up);
            // switch TCP to SCRAM once the superuser has a password.
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("ALTER ROLE " + SqlTemplate.quoteIdentifier(SUPERUSER) + " PASSWORD " + SqlTemplate.quoteLiteral(password));
                Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                        local all all trust
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                statement.execute("SELECT pg_reload_conf()");
            }
            return new LocalPostgres(postgres, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot configure the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public String superuserPassword() {
        return superuserPassword;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
