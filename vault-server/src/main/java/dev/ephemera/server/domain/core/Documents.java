package dev.ephemera.server.domain.core;

import dev.ephemera.storage.Batch;
import dev.ephemera.storage.SealedStore;
import dev.ephemera.storage.StoredJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JSON documents (configuration, agents, tasks, token records) kept in the sealed store, so each
 * one passes the barrier bound to its own key. Encoded as every stored record is ({@link StoredJson}).
 */
public final class Documents {
    private final SealedStore store;

    public Documents(SealedStore store) {
        this.store = store;
    }

    public <T> Optional<T> get(byte[] key, Class<T> type) {
        return store.get(key).map(bytes -> decode(bytes, type));
    }

    public void put(byte[] key, Object document) {
        store.put(key, encode(document));
    }

    /** Writes several documents (and deletions) atomically. */
    public void write(Batch batch) {
        store.write(batch);
    }

    public byte[] encode(Object document) {
        return StoredJson.encode(document, document.getClass().getSimpleName());
    }

    public void delete(byte[] key) {
        store.write(Batch.create().delete(key));
    }

    /** Visits the keys under a prefix in order (index entries whose value is empty). */
    public void scanKeys(byte[] prefix, java.util.function.Consumer<byte[]> visitor) {
        store.scan(prefix, (key, value) -> {
            visitor.accept(key);
            return true;
        });
    }

    public <T> List<T> list(byte[] prefix, Class<T> type) {
        List<T> documents = new ArrayList<>();
        store.scan(prefix, (key, value) -> documents.add(decode(value, type)));
        return documents;
    }

    private static <T> T decode(byte[] bytes, Class<T> type) {
        return StoredJson.decode(bytes, type, type.getSimpleName() + " document");
    }
}
