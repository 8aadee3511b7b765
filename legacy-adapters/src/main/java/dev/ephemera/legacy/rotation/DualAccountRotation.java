package dev.ephemera.legacy.rotation;

import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.StoredJson;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blue/green rotation of two accounts that can each do the job: consumers use the active one; a
 * rotation changes the password of the other, then makes it active. The account that stops being
 * active keeps its password for at least {@code overlap}, so a consumer that read it just before
 * the switch still logs in; only then may it be rotated. (AWS's alternating-users strategy,
 * OpenLDAP's dual-account mode.)
 *
 * <p>The guarantee, to the consumer: a password read at time t logs in until at least t + overlap.
 * A consumer that takes longer between reading and logging in (a slow pool, a stalled machine)
 * may be refused and must read again; the overlap must exceed that latency.
 */
public final class DualAccountRotation {

    /**
     * Which of the two escrowed accounts is active, since when, after how many switches. A record
     * written before switches were counted reads as none.
     */
    public record Pair(String tenant, String id, String blue, String green, String active, Instant switchedAt, int switches) {
        /**
         * Grows by one at every switch. Not the active account's own version: blue at version 2
         * followed by green at version 2 would look unchanged to a consumer.
         */
        public int version() {
            return switches + 1;
        }

        public String inactive() {
            return active.equals(blue) ? green : blue;
        }

        public boolean has(String account) {
            return blue.equals(account) || green.equals(account);
        }
    }

    /**
     * What consumers use now: the active account's target (its login) and password, the pair's
     * version, and since when it is current.
     */
    public record Current(String account, Map<String, String> target, String password, int version, Instant since) {
        @Override
        public String toString() {
            return "Current[account=" + account + ", version=" + version + "]";
        }
    }

    private final KeyValueStore store;
    private final EscrowStore escrow;
    private final Rotator rotator;
    private final InstantSource clock;
    private final Duration overlap;
    /**
     * When each pair's last switch became visible to consumers: when its durable write returned,
     * which under load is well after {@link Pair#switchedAt()}. The overlap counts from here.
     */
    private final Map<String, Instant> switchVisibleAt = new ConcurrentHashMap<>();

    public DualAccountRotation(KeyValueStore store, EscrowStore escrow, Rotator rotator, InstantSource clock, Duration overlap) {
        this.store = store;
        this.escrow = escrow;
        this.rotator = rotator;
        this.clock = clock;
        this.overlap = overlap;
    }

    /** Pairs two escrowed accounts; {@code blue} is active first. */
    public void create(String tenant, String id, String blue, String green) {
        escrow.find(tenant, blue).orElseThrow(() -> new IllegalArgumentException("no escrowed account " + blue));
        escrow.find(tenant, green).orElseThrow(() -> new IllegalArgumentException("no escrowed account " + green));
        save(new Pair(tenant, id, blue, green, blue, Instant.EPOCH, 0));
        switchVisibleAt.remove(key(tenant, id));
    }

    public Optional<Pair> find(String tenant, String id) {
        return store.get(Keys.of("dual-account", tenant, id)).map(DualAccountRotation::decode);
    }

    /** The tenant's pairs, in id order. */
    public List<Pair> list(String tenant) {
        List<Pair> pairs = new ArrayList<>();
        store.scan(Keys.prefix("dual-account", tenant), (key, value) -> pairs.add(decode(value)));
        return pairs;
    }

    public Current current(String tenant, String id) {
        Pair pair = state(tenant, id);
        EscrowedSecret active = escrow.find(tenant, pair.active()).orElseThrow();
        Instant since = pair.switches() == 0 ? active.current().createdAt() : pair.switchedAt();
        return new Current(active.id(), active.target(), active.current().value(), pair.version(), since);
    }

    public Duration overlap() {
        return overlap;
    }

    /** When the inactive account may next be rotated: {@code overlap} after the last switch became visible. */
    public Instant nextAllowed(String tenant, String id) {
        return nextAllowed(state(tenant, id));
    }

    public Instant nextAllowed(Pair pair) {
        Instant switched = pair.switchedAt();
        Instant visible = switchVisibleAt.get(key(pair.tenant(), pair.id()));
        return (visible != null && visible.isAfter(switched) ? visible : switched).plus(overlap);
    }

    /**
     * Rotates the inactive account and makes it active. Refused (with when to come back) while the
     * inactive one may still be in use from before the last switch.
     */
    public synchronized Rotator.Outcome rotate(String tenant, String id) throws RotationException {
        Pair state = state(tenant, id);
        Instant allowed = nextAllowed(state);
        if (clock.instant().isBefore(allowed)) {
            throw new RotationException("account " + state.inactive() + " was active until " + allowed.minus(overlap)
                    + "; it may be rotated from " + allowed);
        }
        String next = state.inactive();
        Rotator.Outcome outcome = rotator.rotate(tenant, next);
        if (outcome instanceof Rotator.Outcome.Rotated) {
            save(new Pair(tenant, id, state.blue(), state.green(), next, clock.instant(), state.switches() + 1));
            // Consumers may have read the old active account until the write returned, not only until switchedAt.
            switchVisibleAt.put(key(tenant, id), clock.instant());
        }
        return outcome;
    }

    /** Forgets the pair (not while it rotates); its two accounts stay escrowed, each on its own again. */
    public synchronized Optional<Pair> delete(String tenant, String id) {
        Optional<Pair> pair = find(tenant, id);
        pair.ifPresent(p -> store.write(Batch.create().delete(Keys.of("dual-account", tenant, id))));
        switchVisibleAt.remove(key(tenant, id));
        return pair;
    }

    private static String key(String tenant, String id) {
        return tenant + "/" + id;
    }

    private Pair state(String tenant, String id) {
        return find(tenant, id).orElseThrow(() -> new IllegalArgumentException("no dual-account secret " + id));
    }

    private static Pair decode(byte[] bytes) {
        return StoredJson.decode(bytes, Pair.class, "dual-account record");
    }

    private void save(Pair state) {
        store.write(Batch.create().put(Keys.of("dual-account", state.tenant(), state.id()), StoredJson.encode(state, "a dual-account record")));
    }
}
