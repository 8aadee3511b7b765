package dev.ephemera.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded default store. Every write is synced, and writes are group-committed: one committer
 * thread takes every batch queued while the previous fsync ran and applies them as one RocksDB
 * write with one fsync, so concurrent writers share the ~200 us an fsync costs here instead of
 * queueing behind each other's.
 */
public final class RocksStore implements KeyValueStore {
    private static final int MAX_GROUP = 1024;
    private static final Pending STOP = new Pending(null, null);

    static {
        RocksDB.loadLibrary();
    }

    private record Pending(Batch batch, CompletableFuture<Void> done) {}

    private final Path directory;
    private final Options options;
    private final WriteOptions syncWrites;
    private final RocksDB db;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final AtomicLong syncs = new AtomicLong();
    private volatile boolean closed;

    private RocksStore(Path directory, Options options, RocksDB db) {
        this.directory = directory;
        this.options = options;
        this.db = db;
        this.syncWrites = new WriteOptions().setSync(true);
        this.committer = Thread.ofPlatform().name("ephemera-rocksdb-commit").daemon().start(this::commitLoop);
    }

    public static RocksStore open(Path directory) {
        PrivateDirectory.secure(directory);
        Options options = new Options()
                .setCreateIfMissing(true)
                .setMaxBackgroundJobs(2)
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
        try {
            return new RocksStore(directory, options, RocksDB.open(options, directory.toString()));
        } catch (RocksDBException e) {
            options.close();
            String message = String.valueOf(e.getMessage());
            if (message.contains("lock")) {
                throw new StorageException("data directory " + directory + " is in use by another Ephemera process");
            }
            throw new StorageException("cannot open the data directory " + directory + ": " + message, e);
        }
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        ensureOpen();
        try {
            return Optional.ofNullable(db.get(key));
        } catch (RocksDBException e) {
            throw new StorageException("read failed in " + directory, e);
        }
    }

    @Override
    public void write(Batch batch) {
        try {
            writeAsync(batch).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof StorageException s ? s : new StorageException("write failed", e.getCause());
        }
    }

    @Override
    public CompletableFuture<Void> writeAsync(Batch batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StorageException("the store is closed"));
        } else if (batch.isEmpty()) {
            done.complete(null);
        } else {
            queue.add(new Pending(batch, done));
        }
        return done;
    }

    @Override
    public void scan(byte[] prefix, byte[] from, ScanVisitor visitor) {
        ensureOpen();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(Arrays.compareUnsigned(from, prefix) > 0 ? from : prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!startsWith(key, prefix) || !visitor.visit(key, it.value())) {
                    return;
                }
            }
        }
    }

    /** Number of synced RocksDB writes so far: fewer than batches when group commit works. */
    long syncCount() {
        return syncs.get();
    }

    private void commitLoop() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(group, MAX_GROUP - 1);
            boolean stop = group.removeIf(p -> p == STOP);
            commit(group);
            group.clear();
            if (stop) {
                return;
            }
        }
    }

    private void commit(List<Pending> group) {
        if (group.isEmpty()) {
            return;
        }
        try (WriteBatch writes = new WriteBatch()) {
            for (Pending pending : group) {
                for (Mutation mutation : pending.batch().mutations()) {
                    switch (mutation) {
                        case Mutation.Put put -> writes.put(put.key(), put.value());
                        case Mutation.Delete delete -> writes.delete(delete.key());
                    }
                }
            }
            db.write(syncWrites, writes);
            syncs.incrementAndGet();
            group.forEach(p -> p.done().complete(null));
        } catch (RocksDBException | RuntimeException e) {
            StorageException failure = new StorageException("write failed in " + directory + ": " + e.getMessage(), e);
            group.forEach(p -> p.done().completeExceptionally(failure));
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("the store is closed");
        }
    }

    /** Commits everything already queued, then closes RocksDB. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            committer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        syncWrites.close();
        options.close();
    }
}
