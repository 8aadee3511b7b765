package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blue/green pairs of escrowed accounts, in the escrowed secrets' id namespace: whatever rotates
 * "a secret" by id (an admin, the scheduler) comes through {@link #rotate}, which switches a pair
 * and rotates anything else. Checks on what may be paired are {@link EscrowService#pair}'s.
 */
@Singleton
public final class DualAccounts {
    private static final Logger log = LoggerFactory.getLogger(DualAccounts.class);

    private final DualAccountRotation dual;
    private final Rotator rotator;
    private final SecretWatch watch;

    DualAccounts(DualAccountRotation dual, Rotator rotator, SecretWatch watch) {
        this.dual = dual;
        this.rotator = rotator;
        this.watch = watch;
    }

    public Optional<DualAccountRotation.Pair> find(String tenant, String id) {
        return dual.find(tenant, id);
    }

    public java.util.List<DualAccountRotation.Pair> list(String tenant) {
        return dual.list(tenant);
    }

    /** The pair an escrowed account belongs to, if any. */
    public Optional<DualAccountRotation.Pair> pairOf(String tenant, String account) {
        return list(tenant).stream().filter(pair -> pair.has(account)).findFirst();
    }

    public DualAccountRotation.Current current(String tenant, String id) {
        return dual.current(tenant, id);
    }

    public Duration overlap() {
        return dual.overlap();
    }

    /** When the pair's inactive account may next be rotated. */
    public java.time.Instant nextAllowed(DualAccountRotation.Pair pair) {
        return dual.nextAllowed(pair);
    }

    void dissolve(String tenant, String id) {
        dual.delete(tenant, id).ifPresent(pair -> log.info("dual-account pair {} (tenant {}) of {} and {} dissolved", id, tenant,
                pair.blue(), pair.green()));
    }

    void create(String tenant, String id, String blue, String green) {
        dual.create(tenant, id, blue, green);
        log.info("dual-account pair {} (tenant {}) created over {} (active) and {}", id, tenant, blue, green);
    }

    /**
     * Switches a pair to its freshly rotated other account, or rotates an escrowed secret. A switch
     * is no change of an escrowed secret, so the pair's waiting consumers are woken here.
     */
    public Rotator.Outcome rotate(String tenant, String id) throws RotationException {
        if (dual.find(tenant, id).isEmpty()) {
            return rotator.rotate(tenant, id);
        }
        Rotator.Outcome outcome = dual.rotate(tenant, id);
        if (outcome instanceof Rotator.Outcome.Rotated) {
            watch.changed(tenant, id);
            log.info("dual-account pair {} (tenant {}) switched to {}", id, tenant, outcome.secret().id());
        }
        return outcome;
    }
}
