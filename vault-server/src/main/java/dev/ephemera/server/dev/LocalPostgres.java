package dev.ephemera.server.dev;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.postgres.PostgresQuoting;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server run from the embedded binaries, with password (SCRAM) authentication on
 * TCP so that a wrong password really fails. Used by the dev server's demo and by the tests.
 *
 * <p>{@link #startOrResume} keeps the cluster, its port and its superuser password in its data
 * directory, so that a vault restarted on that directory — even after {@code kill -9}, which leaves
 * the postmaster running — finds the roles it issued and can still revoke them.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String SUPERUSER = "postgres";
    /**
     * Kept clusters this JVM runs. Another process's are recognised by their lock file, which this
     * JVM must not open while it holds it: closing any channel of a file drops the process's lock on it.
     */
    private static final Set<Path> RUNNING_HERE = ConcurrentHashMap.newKeySet();

    private final EmbeddedPostgres postgres;
    private final String superuserPassword;
    private final Optional<Path> kept;

    private LocalPostgres(EmbeddedPostgres postgres, String superuserPassword, Optional<Path> kept) {
        this.postgres = postgres;
        this.superuserPassword = superuserPassword;
        this.kept = kept;
    }

    /** A throwaway server: a new cluster in {@code dataDirectory}, deleted when closed. */
    public static LocalPostgres start(Path dataDirectory) {
        return start(dataDirectory, Optional.empty(), true);
    }

    /**
     * The cluster kept in {@code dataDirectory} by an earlier start, on the same port with the same
     * superuser password, or a new one there. A postmaster an earlier process left running on
     * that directory is stopped first.
     */
    public static LocalPostgres startOrResume(Path dataDirectory) {
        Path directory;
        try {
            Files.createDirectories(dataDirectory);
            directory = dataDirectory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded PostgreSQL in " + dataDirectory, e);
        }
        if (!RUNNING_HERE.add(directory)) {
            throw new IllegalStateException("the PostgreSQL in " + directory + " belongs to a dev server that is still running");
        }
        try {
            OrphanPostmaster.stopIfRunning(directory);
            Optional<LocalPostgresSettings> settings = LocalPostgresSettings.read(directory);
            if (settings.isEmpty()) {
                // Not a cluster this class finished setting up (a first start cut short): nothing was issued from it.
                clear(directory);
            }
            return start(directory, settings, false);
        } catch (IOException e) {
            RUNNING_HERE.remove(directory);
            throw new UncheckedIOException("cannot prepare the embedded PostgreSQL in " + directory, e);
        } catch (RuntimeException e) {
            RUNNING_HERE.remove(directory);
            throw e;
        }
    }

    private static LocalPostgres start(Path dataDirectory, Optional<LocalPostgresSettings> kept, boolean throwaway) {
        try {
            String password = kept.map(LocalPostgresSettings::superuserPassword).orElseGet(() -> SecretGenerator.password(32));
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(throwaway)
                    // The start-up check logs in over TCP: with the password once TCP asks for SCRAM.
                    .setConnectConfig("password", password)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256");
            kept.ifPresent(settings -> builder.setPort(settings.port()));
            EmbeddedPostgres postgres = builder.start();
            if (kept.isEmpty()) {
                requirePasswords(postgres, dataDirectory, password);
                if (!throwaway) {
                    LocalPostgresSettings.write(dataDirectory, new LocalPostgresSettings(postgres.getPort(), password));
                }
            }
            return new LocalPostgres(postgres, password, throwaway ? Optional.empty() : Optional.of(dataDirectory));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot configure the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * A new cluster starts with trust auth (the embedded server needs it to see the server come
     * up); switch TCP to SCRAM once the superuser has a password.
     */
    private static void requirePasswords(EmbeddedPostgres postgres, Path dataDirectory, String password)
            throws SQLException, IOException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            PostgresQuoting.requireStandardStrings(connection);
            statement.execute("ALTER ROLE " + PostgresQuoting.identifier(SUPERUSER) + " PASSWORD " + PostgresQuoting.literal(password));
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                    local all all trust
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    private static void clear(Path dataDirectory) throws IOException {
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.equals(dataDirectory)) {
                    Files.delete(file);
                }
            }
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
        } finally {
            kept.ifPresent(RUNNING_HERE::remove);
        }
    }
}
