package dev.ephemera.server.domain.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.SealedStore;
import dev.ephemera.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JSON documents (configuration, agents, tasks, token records) kept in the sealed store, so each
 * one passes the barrier bound to its own key.
 */
public final class Documents {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
        try {
            return JSON.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new StorageException("cannot encode " + document.getClass().getSimpleName(), e);
        }
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
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new StorageException("corrupt " + type.getSimpleName() + " document", e);
        }
    }
}
