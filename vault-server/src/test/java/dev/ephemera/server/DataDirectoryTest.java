package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.UnsealKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault's data directory is its owner's alone, and one other users could write is refused (issue 13, item 6). */
class DataDirectoryTest {
    @TempDir
    Path root;

    /**
     * What an earlier version left (0755 directories, 0644 files) is owner-only once the vault has
     * started on it. Files RocksDB creates while running take the process's umask, which the
     * {@code ephemera} launcher sets to 077; inside a 0700 directory no other user reaches them anyway.
     */
    @Test
    void aVaultStartedOnAnEarlierVersionsDirectoryLeavesItOwnerOnly() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        Path rocks = Files.createDirectories(data.resolve("rocksdb"));
        Path left = Files.writeString(data.resolve("left-by-0.1"), "x");
        Files.setPosixFilePermissions(left, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(rocks, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (EphemeraServer server = EphemeraServer.start(data, keyFile(), "127.0.0.1", 0, Map.of())) {
            assertThat(server.address()).isNotNull();
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(mode(rocks)).isEqualTo("rwx------");
            assertThat(mode(left)).isEqualTo("rw-------");
        }
    }

    @Test
    void aDataDirectoryOtherUsersCanWriteStopsTheStartInOneLine() throws IOException {
        Path data = Files.createDirectories(root.resolve("shared"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> EphemeraServer.start(data, keyFile(), "127.0.0.1", 0, Map.of()))
                .isInstanceOf(EphemeraServer.StartFailure.class)
                .hasMessage("the data directory " + data + " is writable by other users (rwxrwxrwx); make it owner-only (chmod 700)"
                        + " or choose another");
        assertThat(data).isEmptyDirectory();
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private Path keyFile() throws IOException {
        Path keyFile = root.resolve("unseal.key");
        if (Files.notExists(keyFile)) {
            try (UnsealKey key = UnsealKey.generate()) {
                Files.writeString(keyFile, key.toBase64());
            }
        }
        return keyFile;
    }
}
