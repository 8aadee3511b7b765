package dev.ephemera.legacy.escrow;

import dev.ephemera.storage.Batch;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.StoredJson;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Escrowed secrets in the caller's (sealed) store: every version passes the barrier bound to the
 * secret's key. Each transition of a rotation is one durable write, in order: pending recorded,
 * then confirmed (or abandoned).
 */
public final class EscrowStore {

    private final KeyValueStore store;
    private final InstantSource clock;
    private final Consumer<EscrowedSecret> onSave;

    public EscrowStore(KeyValueStore store, InstantSource clock) {
        this(store, clock, secret -> { });
    }

    /** {@code onSave} hears of every durable change, after it is written (consumers wait on it). */
    public EscrowStore(KeyValueStore store, InstantSource clock, Consumer<EscrowedSecret> onSave) {
        this.store = store;
        this.clock = clock;
        this.onSave = onSave;
    }

    /** Escrows a credential as it is today (version 1). */
    public EscrowedSecret create(String tenant, String id, String driver, Map<String, String> target, String value) {
        if (find(tenant, id).isPresent()) {
            throw new IllegalStateException("escrowed secret " + id + " exists already");
        }
        Instant now = clock.instant();
        EscrowedSecret secret = new EscrowedSecret(id, tenant, driver, target, new SecretVersion(1, value, now), null, null,
                EscrowedSecret.RotationStatus.IDLE, 0, null, now, 1);
        save(secret);
        return secret;
    }

    public Optional<EscrowedSecret> find(String tenant, String id) {
        return store.get(key(tenant, id)).map(EscrowStore::decode);
    }

    /** The tenant's escrowed secrets, or every tenant's when {@code tenant} is null, in id order. */
    public List<EscrowedSecret> list(String tenant) {
        List<EscrowedSecret> secrets = new ArrayList<>();
        store.scan(tenant == null ? Keys.prefix("escrow") : Keys.prefix("escrow", tenant),
                (key, value) -> secrets.add(decode(value)));
        return secrets;
    }

    /** Removes the secret and every version of it. */
    public void delete(String tenant, String id) {
        store.write(Batch.create().delete(key(tenant, id)));
    }

    /** Records the value about to be applied, durably, before the target is changed. */
    public EscrowedSecret recordPending(EscrowedSecret secret, String value) {
        EscrowedSecret next = secret.withPending(new SecretVersion(secret.nextNumber(), value, clock.instant()), clock.instant());
        save(next);
        return next;
    }

    /** The target took the pending value: it becomes current, the old current becomes previous. */
    public EscrowedSecret confirm(EscrowedSecret secret) {
        EscrowedSecret next = secret.confirmed(clock.instant());
        save(next);
        return next;
    }

    /** The target did not take the pending value: the current one stays. */
    public EscrowedSecret abandon(EscrowedSecret secret, String error, boolean failing) {
        EscrowedSecret next = secret.abandoned(error, clock.instant(), failing);
        save(next);
        return next;
    }

    private void save(EscrowedSecret secret) {
        store.write(Batch.create().put(key(secret.tenant(), secret.id()), StoredJson.encode(secret, "escrowed secret " + secret.id())));
        onSave.accept(secret);
    }

    private static EscrowedSecret decode(byte[] bytes) {
        return StoredJson.decode(bytes, EscrowedSecret.class, "escrowed secret record");
    }

    private static byte[] key(String tenant, String id) {
        return Keys.of("escrow", tenant, id);
    }
}
