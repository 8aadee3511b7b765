package dev.ephemera.legacy.rotation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.StorageException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/**
 * Blue/green rotation of two accounts that can each do the job: consumers use the active one; a
 * rotation changes the password of the other, then makes it active. The account that stops being
 * active keeps its password for at least {@code overlap}, so a consumer that read it just before
 * the switch still logs in; only then may it be rotated. (AWS's alternating-users strategy,
 * OpenLDAP's dual-account mode.)
 */
public final class DualAccountRotation {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Which of the two escrowed accounts is active, since when. */
    record State(String tenant, String id, String blue, String green, String active, Instant switchedAt) {}

    /** What consumers use now: the active account's target (its login) and password. */
    public record Current(String account, Map<String, String> target, String password, int version) {
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
        save(new State(tenant, id, blue, green, blue, Instant.EPOCH));
    }

    public Current current(String tenant, String id) {
        State state = state(tenant, id);
        EscrowedSecret active = escrow.find(tenant, state.active()).orElseThrow();
        return new Current(active.id(), active.target(), active.current().value(), active.current().number());
    }

    /** When the inactive account may next be rotated: {@code overlap} after the last switch. */
    public Instant nextAllowed(String tenant, String id) {
        return state(tenant, id).switchedAt().plus(overlap);
    }

    /**
     * Rotates the inactive account and makes it active. Refused (with when to come back) while the
     * inactive one may still be in use from before the last switch.
     */
    public synchronized Rotator.Outcome rotate(String tenant, String id) throws RotationException {
        State state = state(tenant, id);
        Instant now = clock.instant();
        if (now.isBefore(state.switchedAt().plus(overlap))) {
            throw new RotationException("account " + inactive(state) + " was active until " + state.switchedAt()
                    + "; it may be rotated from " + state.switchedAt().plus(overlap));
        }
        String next = inactive(state);
        Rotator.Outcome outcome = rotator.rotate(tenant, next);
        if (outcome instanceof Rotator.Outcome.Rotated) {
            save(new State(tenant, id, state.blue(), state.green(), next, clock.instant()));
        }
        return outcome;
    }

    private static String inactive(State state) {
        return state.active().equals(state.blue()) ? state.green() : state.blue();
    }

    private State state(String tenant, String id) {
        byte[] bytes = store.get(Keys.of("dual-account", tenant, id))
                .orElseThrow(() -> new IllegalArgumentException("no dual-account secret " + id));
        try {
            return JSON.readValue(bytes, State.class);
        } catch (IOException e) {
            throw new StorageException("corrupt dual-account record", e);
        }
    }

    private void save(State state) {
        try {
            store.write(Batch.create().put(Keys.of("dual-account", state.tenant(), state.id()), JSON.writeValueAsBytes(state)));
        } catch (IOException e) {
            throw new StorageException("cannot encode a dual-account record", e);
        }
    }
}
