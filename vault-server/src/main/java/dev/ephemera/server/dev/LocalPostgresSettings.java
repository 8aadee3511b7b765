package dev.ephemera.server.dev;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * What a kept {@link LocalPostgres} cluster is reached with: its port and superuser password,
 * stored owner-only in its data directory once the cluster is set up, so that a restart finds the
 * same server where the vault's backend configuration says it is.
 */
record LocalPostgresSettings(int port, String superuserPassword) {
    private static final String FILE = "ephemera-local-postgres.properties";

    @Override
    public String toString() {
        return "LocalPostgresSettings[port=" + port + "]";
    }

    /** The settings of a cluster set up in {@code dataDirectory}; empty when there is none (or it was never finished). */
    static Optional<LocalPostgresSettings> read(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve(FILE);
        if (!Files.exists(file) || !Files.exists(dataDirectory.resolve("postgresql.conf"))) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        String port = properties.getProperty("port");
        String password = properties.getProperty("superuser-password");
        if (port == null || !port.matches("[0-9]{1,5}") || password == null || password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LocalPostgresSettings(Integer.parseInt(port), password));
    }

    /** Written whole or not at all: a half-written file would lose the cluster. */
    static void write(Path dataDirectory, LocalPostgresSettings settings) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("port", Integer.toString(settings.port()));
        properties.setProperty("superuser-password", settings.superuserPassword());
        StringWriter text = new StringWriter();
        properties.store(text, "the embedded PostgreSQL of an Ephemera dev server; keep private");
        Path temporary = dataDirectory.resolve(FILE + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, text.toString());
        Files.move(temporary, dataDirectory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
