package dev.ephemera.storage;

/** Storage that failed: the operation did not happen (writes are atomic). */
public final class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
