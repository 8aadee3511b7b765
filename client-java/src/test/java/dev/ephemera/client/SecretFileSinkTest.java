package dev.ephemera.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static dev.ephemera.client.Fixtures.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file sink on its own: formats, owner-only atomic writes, and a hook whose log never shows the secret. */
class SecretFileSinkTest {

    private static final SecretVersion VERSION = new SecretVersion("app-db", 4, "app", PASSWORD, Instant.parse("2026-11-22T12:00:00Z"));

    /** Held strongly: the JDK keeps loggers only weakly. */
    private final Logger julLogger = Logger.getLogger(SecretFileSink.class.getName());
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + new SimpleFormatter().formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @TempDir
    Path dir;

    @BeforeEach
    void captureLog() {
        julLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        julLogger.removeHandler(capture);
    }

    @Test
    void writesAnOwnerOnlyFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "old");
        SecretFileSink.builder(file).build().accept(VERSION);

        assertThat(Files.readString(file)).isEqualTo(PASSWORD);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(file);
        }
        assertThat(logged).containsExactly("INFO wrote version 4 of secret app-db to " + file);
    }

    @Test
    void stockFormats() {
        assertThat(text(SecretFormat.keyValue("DB_USER", "DB_PASSWORD").apply(VERSION)))
                .isEqualTo("DB_USER=app\nDB_PASSWORD=" + PASSWORD + "\n");
        assertThat(text(SecretFormat.json().apply(new SecretVersion("key", 2, null, "k", Instant.parse("2026-11-22T12:00:00Z")))))
                .isEqualTo("{\"id\":\"key\",\"version\":2,\"value\":\"k\",\"rotated_at\":\"2026-11-22T12:00:00Z\"}");
        SecretVersion multiline = new SecretVersion("cert", 1, null, "line one\n" + PASSWORD, Instant.EPOCH);
        assertThatThrownBy(() -> SecretFormat.keyValue("U", "V").apply(multiline)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of version 1 of secret cert spans lines; write it with SecretFormat.value() or json()");
    }

    @Test
    void aFailingHookIsLoggedWithItsStatusAndTheSecretMasked() throws Exception {
        Path file = dir.resolve("db.env");
        SecretFileSink sink = SecretFileSink.builder(file)
                .hook(List.of("sh", "-c", "echo reload failed >&2; cat \"$EPHEMERA_SECRET_FILE\" >&2; exit 3"), Duration.ofSeconds(5))
                .build();
        sink.accept(VERSION);

        assertThat(logged).hasSize(2);
        assertThat(logged.getLast()).isEqualTo("WARNING hook sh for version 4 of secret app-db exited with status 3; stderr: reload failed ***");
        assertThat(String.join("\n", logged)).doesNotContain(PASSWORD);
    }

    @Test
    void aHookPastItsTimeLimitIsKilled() {
        SecretFileSink sink = SecretFileSink.builder(dir.resolve("value")).hook(List.of("sleep", "30"), Duration.ofMillis(200)).build();
        long start = System.nanoTime();
        sink.accept(VERSION);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(logged.getLast()).isEqualTo("WARNING hook sleep for version 4 of secret app-db did not finish within PT0.2S; killed");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
