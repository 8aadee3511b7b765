package dev.ephemera.legacy.checkout;

import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.StoredJson;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A library of service accounts (escrowed secrets) that holders — tasks — check out one at a time.
 * A check-out is durable before its password is handed over; a check-in, whether explicit, forced
 * by an admin or due to expiry, rotates the password before the account is free again, so the
 * holder's copy is dead. When every account is held the answer says so, and when one frees.
 */
public final class AccountLibrary {
    private static final Logger log = LoggerFactory.getLogger(AccountLibrary.class);

    /** What a check-out request got. */
    public sealed interface Outcome {
        /** The account and its current password; the holder must not keep it past {@code until}. */
        record Granted(CheckOut checkOut, String password) implements Outcome {
            @Override
            public String toString() {
                return "Granted[" + checkOut + "]";
            }
        }

        /** Every account of the library is held; the earliest is due back at {@code nextFree}. */
        record NoneFree(String library, int accounts, Instant nextFree) implements Outcome {}
    }

    private final KeyValueStore store;
    private final EscrowStore escrow;
    private final Rotator rotator;
    private final InstantSource clock;

    public AccountLibrary(KeyValueStore store, EscrowStore escrow, Rotator rotator, InstantSource clock) {
        this.store = store;
        this.escrow = escrow;
        this.rotator = rotator;
        this.clock = clock;
    }

    /** Checks out the first free account of the library for {@code holder}, for at most {@code ttl}. */
    public Outcome checkOut(String tenant, String library, List<String> accounts, String holder, Duration ttl) {
        return checkOut(tenant, library, accounts, holder, clock.instant().plus(ttl));
    }

    /** Checks out the first free account of the library for {@code holder}, until {@code until}. */
    public synchronized Outcome checkOut(String tenant, String library, List<String> accounts, String holder, Instant until) {
        Instant now = clock.instant();
        Instant nextFree = null;
        for (String account : accounts) {
            Optional<CheckOut> held = holder(tenant, account);
            if (held.isPresent()) {
                nextFree = nextFree == null || held.get().until().isBefore(nextFree) ? held.get().until() : nextFree;
                continue;
            }
            EscrowedSecret secret = escrow.find(tenant, account)
                    .orElseThrow(() -> new IllegalStateException("library " + library + " lists " + account + ", which is not escrowed"));
            if (secret.pending() != null) {
                continue; // a rotation is under way: not handed out until it settles
            }
            CheckOut checkOut = new CheckOut(tenant, library, account, holder, now, until);
            save(checkOut);
            return new Outcome.Granted(checkOut, secret.current().value());
        }
        return new Outcome.NoneFree(library, accounts.size(), nextFree);
    }

    public Optional<CheckOut> holder(String tenant, String account) {
        return store.get(key(tenant, account)).map(AccountLibrary::decode);
    }

    /** The holder keeps the account longer (a renewed lease). */
    public synchronized void extend(String tenant, String account, String holder, Instant until) {
        holder(tenant, account).filter(held -> held.holder().equals(holder))
                .ifPresent(held -> save(new CheckOut(tenant, held.library(), account, holder, held.since(), until)));
    }

    /**
     * Returns the account: its password is rotated first, and the account freed only once the
     * rotation took; a rotation that fails keeps the account held, by the same holder, so it is not
     * handed out with a password someone still knows and the check-in can be tried again.
     */
    public synchronized Rotator.Outcome checkIn(String tenant, String account, String holder) throws RotationException {
        CheckOut held = holder(tenant, account).orElseThrow(() -> new RotationException("account " + account + " is not checked out"));
        if (holder != null && !held.holder().equals(holder)) {
            throw new RotationException("account " + account + " is held by someone else");
        }
        Rotator.Outcome outcome = rotator.rotate(tenant, account);
        if (outcome instanceof Rotator.Outcome.Rotated) {
            store.write(Batch.create().delete(key(tenant, account)));
        } else {
            log.error("account {} (tenant {}) could not be rotated at check-in; it stays out of the library", account, tenant);
        }
        return outcome;
    }

    /** Checks in every check-out of these accounts whose time is up; returns the accounts returned. */
    public List<String> checkInExpired(String tenant, List<String> accounts) {
        List<String> returned = new ArrayList<>();
        Instant now = clock.instant();
        for (String account : accounts) {
            Optional<CheckOut> held = holder(tenant, account);
            if (held.isPresent() && !held.get().until().isAfter(now)) {
                try {
                    if (checkIn(tenant, account, null) instanceof Rotator.Outcome.Rotated) {
                        returned.add(account);
                    }
                } catch (RotationException e) {
                    log.error("expired check-out of {} (tenant {}) could not be returned: {}", account, tenant, e.getMessage());
                }
            }
        }
        return returned;
    }

    private void save(CheckOut checkOut) {
        store.write(Batch.create().put(key(checkOut.tenant(), checkOut.account()), StoredJson.encode(checkOut, "a check-out")));
    }

    private static CheckOut decode(byte[] bytes) {
        return StoredJson.decode(bytes, CheckOut.class, "check-out record");
    }

    private static byte[] key(String tenant, String account) {
        return Keys.of("checkout", tenant, account);
    }
}
