package dev.ephemera.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A data directory only its owner may enter. A new one is created 0700. An existing one that
 * another user could write is refused, since whoever writes there chooses what the vault reads;
 * otherwise it is tightened to 0700, with its files 0600 and its directories 0700, which moves
 * directories made by earlier versions (0755/0644) to owner-only. On a file system without POSIX
 * permissions there is nothing to check.
 */
public final class PrivateDirectory {
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateDirectory() {
    }

    public static Path secure(Path directory) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return directory;
        }
        try {
            if (Files.notExists(directory)) {
                Path parent = directory.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
                return directory;
            }
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(directory);
            if (now.contains(PosixFilePermission.GROUP_WRITE) || now.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new StorageException("the data directory " + directory + " is writable by other users ("
                        + PosixFilePermissions.toString(now) + "); make it owner-only (chmod 700) or choose another");
            }
            try (Stream<Path> entries = Files.walk(directory)) {
                entries.forEach(PrivateDirectory::tighten);
            }
            return directory;
        } catch (IOException e) {
            throw new StorageException("cannot make the data directory " + directory + " owner-only: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new StorageException("cannot make the data directory " + directory + " owner-only: " + e.getCause().getMessage(), e);
        }
    }

    /** Links are left alone: their targets are not the vault's to change. */
    private static void tighten(Path entry) {
        try {
            if (Files.isSymbolicLink(entry)) {
                return;
            }
            boolean directory = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> wanted = directory ? DIRECTORY : FILE;
            if (!directory && now.contains(PosixFilePermission.OWNER_EXECUTE)) {
                wanted = PosixFilePermissions.fromString("rwx------"); // a program stays runnable by its owner
            }
            if (!now.equals(wanted)) {
                Files.setPosixFilePermissions(entry, wanted);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
