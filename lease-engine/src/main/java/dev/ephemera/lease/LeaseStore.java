package dev.ephemera.lease;

import dev.ephemera.storage.Batch;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.StorageException;
import dev.ephemera.storage.StoredJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The durable lease table. Layout, all through the caller's (sealed) store:
 * <pre>
 *   lease/{id}                full record
 *   live/{id}                 marker while the lease is not yet revoked: recovery scans only these
 *   task-lease/{task}/{id}    index for ending a task
 * </pre>
 * Every change is one atomic batch, so the record and its indexes never disagree.
 */
public final class LeaseStore {
    private static final byte[] EMPTY = new byte[0];
    private static final int LIVE_PAGE = 10_000;

    private final KeyValueStore store;

    public LeaseStore(KeyValueStore store) {
        this.store = store;
    }

    public void insert(Lease lease) {
        insertAll(List.of(lease));
    }

    /** A new lease and what must exist with it, in one atomic, durable write. */
    public void insert(Lease lease, Batch alsoWrite) {
        store.write(entries(Batch.create(), lease).putAll(alsoWrite));
    }

    /** New leases in one atomic, durable write (imports and load generation). */
    public void insertAll(List<Lease> leases) {
        Batch batch = Batch.create();
        for (Lease lease : leases) {
            entries(batch, lease);
        }
        if (!batch.isEmpty()) {
            store.write(batch);
        }
    }

    private static Batch entries(Batch batch, Lease lease) {
        batch.put(Keys.of("lease", lease.id()), encode(lease)).put(Keys.of("live", lease.id()), EMPTY);
        if (lease.taskId() != null) {
            batch.put(Keys.of("task-lease", lease.taskId(), lease.id()), EMPTY);
        }
        return batch;
    }

    public void update(Lease lease) {
        Batch batch = Batch.create().put(Keys.of("lease", lease.id()), encode(lease));
        if (lease.state().isLive()) {
            batch.put(Keys.of("live", lease.id()), EMPTY);
        } else {
            batch.delete(Keys.of("live", lease.id()));
        }
        store.write(batch);
    }

    /** Several updates in one atomic, durable write. */
    public void updateAll(List<Lease> leases) {
        Batch batch = Batch.create();
        for (Lease lease : leases) {
            batch.put(Keys.of("lease", lease.id()), encode(lease));
            if (lease.state().isLive()) {
                batch.put(Keys.of("live", lease.id()), EMPTY);
            } else {
                batch.delete(Keys.of("live", lease.id()));
            }
        }
        if (!batch.isEmpty()) {
            store.write(batch);
        }
    }

    public Optional<Lease> find(String id) {
        return store.get(Keys.of("lease", id)).map(LeaseStore::decode);
    }

    public List<String> leaseIdsOfTask(String taskId) {
        List<String> ids = new ArrayList<>();
        byte[] prefix = Keys.prefix("task-lease", taskId);
        store.scan(prefix, (key, value) -> {
            ids.add(Keys.toString(key).substring(prefix.length));
            return true;
        });
        return ids;
    }

    /**
     * Visits every lease that is not yet revoked, reading the live index a page at a time so that
     * millions of leases never sit in memory at once.
     */
    public void forEachLive(Consumer<Lease> visitor) {
        byte[] prefix = Keys.prefix("live");
        byte[] from = prefix;
        while (true) {
            List<String> ids = new ArrayList<>(LIVE_PAGE);
            byte[][] last = new byte[1][];
            store.scan(prefix, from, (key, value) -> {
                ids.add(Keys.toString(key).substring(prefix.length));
                last[0] = key;
                return ids.size() < LIVE_PAGE;
            });
            for (String id : ids) {
                find(id).ifPresent(visitor);
            }
            if (ids.size() < LIVE_PAGE) {
                return;
            }
            from = Arrays.copyOf(last[0], last[0].length + 1); // the smallest key after the last one
        }
    }

    private static byte[] encode(Lease lease) {
        return LeaseCodec.encode(lease);
    }

    /** Binary records (the hot path, no JSON); JSON ones written by earlier versions are still read. */
    private static Lease decode(byte[] bytes) {
        try {
            return bytes.length > 0 && bytes[0] == '{' ? StoredJson.decode(bytes, Lease.class, "lease record") : LeaseCodec.decode(bytes);
        } catch (IOException e) {
            throw new StorageException("corrupt lease record", e);
        }
    }
}
