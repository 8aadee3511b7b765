package dev.ephemera.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateDirectoryTest {
    @TempDir
    Path root;

    @Test
    void aNewDataDirectoryIsOwnerOnly() throws IOException {
        Path data = PrivateDirectory.secure(root.resolve("a").resolve("data"));
        assertThat(mode(data)).isEqualTo("rwx------");
    }

    /** What earlier versions created (0755 and 0644) becomes owner-only, deep down too, and the data stays. */
    @Test
    void anExistingDataDirectoryIsTightenedWithEverythingInIt() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        Path rocks = Files.createDirectories(data.resolve("rocksdb"));
        Path sst = Files.writeString(rocks.resolve("000012.sst"), "data");
        Path program = Files.writeString(data.resolve("helper"), "#!/bin/sh");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(rocks, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(sst, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateDirectory.secure(data);

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(rocks)).isEqualTo("rwx------");
        assertThat(mode(sst)).isEqualTo("rw-------");
        assertThat(mode(program)).isEqualTo("rwx------");
        assertThat(Files.readString(sst)).isEqualTo("data");
    }

    @Test
    void aDataDirectoryOtherUsersCanWriteIsRefusedAndLeftAsItIs() throws IOException {
        for (String open : new String[] {"rwxrwxr-x", "rwx---rwx"}) {
            Path data = Files.createDirectories(root.resolve(open));
            Path file = Files.writeString(data.resolve("file"), "x");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(open));

            assertThatThrownBy(() -> PrivateDirectory.secure(data))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("the data directory " + data + " is writable by other users (" + open
                            + "); make it owner-only (chmod 700) or choose another");
            assertThat(mode(data)).isEqualTo(open);
            assertThat(mode(file)).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void linksInsideAreLeftAlone() throws IOException {
        Path outside = Files.writeString(root.resolve("outside"), "not the vault's");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Path data = Files.createDirectories(root.resolve("data"));
        Files.createSymbolicLink(data.resolve("link"), outside);

        PrivateDirectory.secure(data);

        assertThat(mode(outside)).isEqualTo("rw-r--r--");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
