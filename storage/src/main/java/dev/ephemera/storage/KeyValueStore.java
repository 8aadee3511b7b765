package dev.ephemera.storage;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The storage contract: point reads, atomic durable batches, ordered prefix scans. */
public interface KeyValueStore extends AutoCloseable {

    Optional<byte[]> get(byte[] key);

    /** Atomic, and durable (on disk, fsync'd) when it returns. */
    void write(Batch batch);

    /** As {@link #write}, durable when the future completes. */
    CompletableFuture<Void> writeAsync(Batch batch);

    /** Entries whose key starts with {@code prefix}, in unsigned lexicographic key order. */
    default void scan(byte[] prefix, ScanVisitor visitor) {
        scan(prefix, prefix, visitor);
    }

    /** As {@link #scan(byte[], ScanVisitor)}, starting at the first key {@code >= from}: for paging. */
    void scan(byte[] prefix, byte[] from, ScanVisitor visitor);

    default void put(byte[] key, byte[] value) {
        write(Batch.create().put(key, value));
    }

    default void delete(byte[] key) {
        write(Batch.create().delete(key));
    }

    @Override
    void close();
}
