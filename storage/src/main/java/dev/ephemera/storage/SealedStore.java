package dev.ephemera.storage;

import dev.ephemera.crypto.Barrier;
import dev.ephemera.crypto.Keyring;
import dev.ephemera.crypto.TokenHasher;
import dev.ephemera.crypto.UnsealKey;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store whose every value passes the barrier, sealed with its own key as associated data. Keys
 * stay in plaintext (they are needed for ordered scans), so a key must never contain a secret:
 * tokens appear in keys only as their keyed hash.
 */
public final class SealedStore implements KeyValueStore {
    private static final byte[] KEYRING = Keys.of("core", "keyring");
    private static final byte[] RESERVED = Keys.prefix("core");

    private final KeyValueStore raw;
    private final Keyring keyring;
    private final Barrier barrier;

    private SealedStore(KeyValueStore raw, Keyring keyring) {
        this.raw = raw;
        this.keyring = keyring;
        this.barrier = keyring.barrier();
    }

    public static boolean isInitialized(KeyValueStore raw) {
        return raw.get(KEYRING).isPresent();
    }

    public static SealedStore initialize(KeyValueStore raw, UnsealKey key) {
        if (isInitialized(raw)) {
            throw new StorageException("already initialized");
        }
        Keyring keyring = Keyring.generate();
        raw.put(KEYRING, keyring.wrap(key));
        return new SealedStore(raw, keyring);
    }

    public static SealedStore unseal(KeyValueStore raw, UnsealKey key) {
        byte[] wrapped = raw.get(KEYRING).orElseThrow(() -> new StorageException("not initialized"));
        Keyring keyring = Keyring.unwrap(wrapped, key);
        if (Keyring.isLegacyFormat(wrapped)) {
            migrate(raw, keyring, key);
        }
        return new SealedStore(raw, keyring);
    }

    /**
     * Rewrites a keyring in the original format in the current one, once: a single durable put, so a
     * crash leaves either the old bytes (opened and migrated again on the next start) or the new
     * ones. The new bytes are opened, and shown to open what the old keys sealed, before they
     * replace the old: a faulty rewrite must not lock the vault out of its own data.
     */
    private static void migrate(KeyValueStore raw, Keyring keyring, UnsealKey key) {
        byte[] rewrapped = keyring.wrap(key);
        Barrier reopened = Keyring.unwrap(rewrapped, key).barrier();
        byte[] probe = keyring.barrier().seal(KEYRING, KEYRING);
        if (!Arrays.equals(reopened.open(probe, KEYRING), KEYRING)) {
            throw new StorageException("the migrated keyring does not open what the original sealed");
        }
        raw.put(KEYRING, rewrapped);
    }

    public Keyring keyring() {
        return keyring;
    }

    public TokenHasher tokenHasher() {
        return keyring.tokenHasher();
    }

    public KeyValueStore raw() {
        return raw;
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        checkKey(key);
        return raw.get(key).map(sealed -> barrier.open(sealed, key));
    }

    @Override
    public void write(Batch batch) {
        raw.write(seal(batch));
    }

    @Override
    public CompletableFuture<Void> writeAsync(Batch batch) {
        return raw.writeAsync(seal(batch));
    }

    @Override
    public void scan(byte[] prefix, byte[] from, ScanVisitor visitor) {
        raw.scan(prefix, from, (key, value) -> isReserved(key) || visitor.visit(key, barrier.open(value, key)));
    }

    private Batch seal(Batch batch) {
        Batch sealed = Batch.create();
        for (Mutation mutation : batch.mutations()) {
            checkKey(mutation.key());
            switch (mutation) {
                case Mutation.Put put -> sealed.put(put.key(), barrier.seal(put.value(), put.key()));
                case Mutation.Delete delete -> sealed.delete(delete.key());
            }
        }
        return sealed;
    }

    private static void checkKey(byte[] key) {
        if (isReserved(key)) {
            throw new IllegalArgumentException("keys under core/ are reserved");
        }
    }

    private static boolean isReserved(byte[] key) {
        return key.length >= RESERVED.length && Arrays.equals(key, 0, RESERVED.length, RESERVED, 0, RESERVED.length);
    }

    @Override
    public void close() {
        raw.close();
    }
}
