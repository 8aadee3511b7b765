package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.RotationDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.RotationScheduler;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.backend.BackendConfig;
import dev.ephemera.server.domain.backend.LdapBackend;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Escrowed secrets as admins see them: created with the credential an account has today (and, for
 * an account the vault can rotate, rotated at once so that nobody else knows it any more), rotated
 * on a plan or on demand, or set by an admin when only a person can change it. At start, any
 * rotation a crash interrupted is settled before anything else touches the secret. A blue/green
 * pair of escrowed accounts shares their ids and is rotated and planned by its own id; its accounts
 * are then rotated only through it.
 */
@Context
public final class EscrowService {
    private static final Logger log = LoggerFactory.getLogger(EscrowService.class);
    private static final int MAX_VALUE = 4096;

    private final EscrowStore escrow;
    private final Rotator rotator;
    private final RotationScheduler scheduler;
    private final RotationDrivers drivers;
    private final Documents documents;
    private final DualAccounts pairs;
    private final InstantSource clock;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("escrow-rotation").daemon().factory());

    EscrowService(EscrowStore escrow, Rotator rotator, RotationScheduler scheduler, RotationDrivers drivers, Documents documents,
                  DualAccounts pairs, InstantSource clock) {
        this.escrow = escrow;
        this.rotator = rotator;
        this.scheduler = scheduler;
        this.drivers = drivers;
        this.documents = documents;
        this.pairs = pairs;
        this.clock = clock;
    }

    @PostConstruct
    void start() {
        for (EscrowedSecret secret : escrow.list(null)) {
            if (secret.pending() != null) {
                try {
                    rotator.settle(secret.tenant(), secret.id());
                } catch (RotationException e) {
                    log.error("escrowed secret {} (tenant {}) left pending by a crash cannot be settled yet: {}", secret.id(),
                            secret.tenant(), e.getMessage());
                }
            }
        }
        for (RotationPlan plan : documents.list(Keys.prefix("escrow-plan"), RotationPlan.class)) {
            lastRotation(plan.tenant(), plan.secretId()).ifPresent(last -> arm(plan, last));
        }
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        ticker.shutdownNow();
    }

    /**
     * Escrows an account's present credential. {@code driver} is a backend name or
     * {@link RotationDrivers#MANUAL}; the account is a PostgreSQL role, an LDAP DN, or (manual) any
     * user name. With {@code rotateNow} the vault takes the account over by rotating at once.
     */
    public EscrowedSecret create(String tenant, String id, String driver, String account, String value, boolean rotateNow) {
        requireValue(value);
        if (escrow.find(tenant, id).isPresent() || pairs.find(tenant, id).isPresent()) {
            throw DomainException.conflict("escrowed secret " + id + " exists already");
        }
        Map<String, String> target = target(driver, account);
        EscrowedSecret secret = escrow.create(tenant, id, driver, target, value);
        log.info("escrowed secret {} (tenant {}) created for {} on {}", id, tenant, account, driver);
        if (rotateNow && !RotationDrivers.MANUAL.equals(driver)) {
            try {
                return rotator.rotate(tenant, id).secret();
            } catch (RotationException e) {
                // Escrowed all the same: the view shows the failure, and rotate-now or the plan retries.
                log.error("escrowed secret {} (tenant {}) could not be taken over by a rotation: {}", id, tenant, e.getMessage());
                return escrow.find(tenant, id).orElse(secret);
            }
        }
        return secret;
    }

    public Optional<EscrowedSecret> find(String tenant, String id) {
        return escrow.find(tenant, id);
    }

    public EscrowedSecret require(String tenant, String id) {
        return escrow.find(tenant, id).orElseThrow(() -> DomainException.notFound("no escrowed secret " + id));
    }

    public List<EscrowedSecret> list(String tenant) {
        return escrow.list(tenant);
    }

    /**
     * Pairs two escrowed accounts, blue active first. Each must be rotatable by the vault, without
     * a plan of its own (the pair's plan rotates it) and in no other pair; library membership is
     * {@link EscrowEntries#pair}'s check, as the library catalog depends on this service.
     */
    public synchronized DualAccountRotation.Pair pair(String tenant, String id, String blue, String green) {
        if (escrow.find(tenant, id).isPresent() || pairs.find(tenant, id).isPresent()) {
            throw DomainException.conflict(id + " is taken: pairs and escrowed secrets share ids");
        }
        if (blue.equals(green)) {
            throw DomainException.invalid("blue and green must be two different accounts");
        }
        for (String account : List.of(blue, green)) {
            EscrowedSecret secret = escrow.find(tenant, account)
                    .orElseThrow(() -> DomainException.invalid("account " + account + " is not an escrowed secret of this tenant"));
            if (RotationDrivers.MANUAL.equals(secret.driver())) {
                throw DomainException.invalid("account " + account + " is manual: the pair could not rotate it");
            }
            if (planOf(tenant, account).isPresent()) {
                throw DomainException.invalid("account " + account + " has a rotation plan; the pair rotates it, so remove its plan first");
            }
            pairs.pairOf(tenant, account).ifPresent(other -> {
                throw DomainException.conflict("account " + account + " is in pair " + other.id() + " already");
            });
        }
        pairs.create(tenant, id, blue, green);
        return pairs.find(tenant, id).orElseThrow();
    }

    /**
     * Rotates now, on the caller's thread; the outcome says whether the target took a new password.
     * A pair rotates its inactive account and switches to it, refused while that account's overlap lasts.
     */
    public Rotator.Outcome rotate(String tenant, String id) {
        if (pairs.find(tenant, id).isEmpty()) {
            EscrowedSecret secret = require(tenant, id);
            if (RotationDrivers.MANUAL.equals(secret.driver())) {
                throw DomainException.conflict("escrowed secret " + id + " is manual: an admin sets its value");
            }
            refusePaired(tenant, id, "rotates only when its pair does");
        }
        try {
            return pairs.rotate(tenant, id);
        } catch (RotationException e) {
            if (pairs.find(tenant, id).filter(pair -> clock.instant().isBefore(pairs.nextAllowed(pair))).isPresent()) {
                throw DomainException.conflict("pair " + id + ": " + e.getMessage());
            }
            throw DomainException.backendUnavailable("rotation of " + id + " could not run: " + e.getMessage());
        }
    }

    /**
     * Forgets a secret: its versions, its plan. {@link EscrowEntries#delete} has checked that nothing
     * (a library, a pair, a proxy route) still uses it; a rotation under way must settle first.
     */
    public synchronized void delete(String tenant, String id) {
        EscrowedSecret secret = require(tenant, id);
        if (secret.pending() != null) {
            throw DomainException.conflict("escrowed secret " + id + " has a rotation under way; delete it once settled");
        }
        scheduler.unschedule(new RotationScheduler.Entry(tenant, id));
        documents.delete(Keys.of("escrow-plan", tenant, id));
        escrow.delete(tenant, id);
    }

    /** Forgets a pair and its plan; {@link EscrowEntries#delete} has checked that no route uses it. Its accounts stay escrowed. */
    public synchronized void dissolve(String tenant, String id) {
        pairs.find(tenant, id).orElseThrow(() -> DomainException.notFound("no pair " + id));
        scheduler.unschedule(new RotationScheduler.Entry(tenant, id));
        documents.delete(Keys.of("escrow-plan", tenant, id));
        pairs.dissolve(tenant, id);
    }

    /** A manual secret's new value, from the admin who changed it where it lives. */
    public EscrowedSecret setValue(String tenant, String id, String value) {
        requireValue(value);
        EscrowedSecret secret = require(tenant, id);
        if (!RotationDrivers.MANUAL.equals(secret.driver())) {
            throw DomainException.conflict("escrowed secret " + id + " is rotated by the vault on " + secret.driver()
                    + "; an admin-set value would not reach the account");
        }
        return escrow.confirm(escrow.recordPending(secret, value));
    }

    /** Sets (or, with null, removes) the secret's rotation plan; the next rotation is armed at once. */
    public Optional<RotationPlan> plan(String tenant, String id, RotationPlan plan) {
        Instant last = lastRotation(tenant, id).orElseThrow(() -> DomainException.notFound("no escrowed secret " + id));
        byte[] key = Keys.of("escrow-plan", tenant, id);
        RotationScheduler.Entry entry = new RotationScheduler.Entry(tenant, id);
        if (plan == null) {
            documents.delete(key);
            scheduler.unschedule(entry);
            return Optional.empty();
        }
        if (pairs.find(tenant, id).isPresent()) {
            // Shorter, and every other scheduled rotation would be refused inside the overlap.
            if (plan.schedule().shortestGap().compareTo(pairs.overlap()) <= 0) {
                throw DomainException.invalid("pair " + id + " rotates at most once every " + pairs.overlap().toSeconds()
                        + "s (its overlap); plan a longer period");
            }
        } else {
            if (RotationDrivers.MANUAL.equals(require(tenant, id).driver())) {
                throw DomainException.invalid("escrowed secret " + id + " is manual: the vault cannot rotate it on a plan");
            }
            refusePaired(tenant, id, "is planned through its pair");
        }
        documents.put(key, plan);
        arm(plan, last);
        return Optional.of(plan);
    }

    public Optional<RotationPlan> planOf(String tenant, String id) {
        return documents.get(Keys.of("escrow-plan", tenant, id), RotationPlan.class);
    }

    public Optional<Instant> nextRotation(String tenant, String id) {
        return Optional.ofNullable(scheduler.dueOf(new RotationScheduler.Entry(tenant, id)));
    }

    private void arm(RotationPlan plan, Instant lastRotation) {
        scheduler.schedule(new RotationScheduler.Entry(plan.tenant(), plan.secretId()), plan.schedule(), lastRotation);
    }

    /** When the secret, or the pair's active account, last took a new password; empty when neither exists. */
    private Optional<Instant> lastRotation(String tenant, String id) {
        String account = pairs.find(tenant, id).map(DualAccountRotation.Pair::active).orElse(id);
        return escrow.find(tenant, account).map(secret -> secret.current().createdAt());
    }

    private void refusePaired(String tenant, String id, String why) {
        pairs.pairOf(tenant, id).ifPresent(pair -> {
            throw DomainException.conflict("escrowed secret " + id + " is an account of pair " + pair.id() + ": it " + why);
        });
    }

    private void tick() {
        try {
            scheduler.tick();
        } catch (RuntimeException e) {
            log.error("scheduled rotations failed to run: {}", e.toString());
        }
    }

    private Map<String, String> target(String driver, String account) {
        if (RotationDrivers.MANUAL.equals(driver)) {
            return account == null || account.isBlank() ? Map.of() : Map.of("username", account);
        }
        if (account == null || account.isBlank() || account.length() > 512) {
            throw DomainException.invalid("account is required: the PostgreSQL role or LDAP DN whose password is escrowed");
        }
        BackendConfig backend = documents.get(Keys.of("backend", driver), BackendConfig.class)
                .orElseThrow(() -> DomainException.notFound("no backend named '" + driver + "'"));
        RotationDriver rotation = drivers.apply(driver);
        if (rotation == null) {
            throw DomainException.invalid("backend " + driver + " (" + backend.type() + ") cannot rotate account passwords");
        }
        if (account.equalsIgnoreCase(backend.username())) {
            throw DomainException.invalid("the backend's own admin account cannot be escrowed through that backend");
        }
        boolean ldap = LdapBackend.TYPE.equals(backend.type());
        Map<String, String> target = ldap ? Map.of("dn", account) : Map.of("role", account);
        boolean exists;
        try {
            exists = rotation.exists(target);
        } catch (RotationException unreachable) {
            // Escrowed all the same, as when the take-over rotation cannot reach the backend: it shows as failing.
            log.warn("cannot check that {} exists on backend {}: {}", account, driver, unreachable.getMessage());
            exists = true;
        }
        if (!exists) {
            throw DomainException.notFound((ldap ? "LDAP account '" : "PostgreSQL role '") + account + "' does not exist on backend '"
                    + driver + "'");
        }
        return target;
    }

    private static void requireValue(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_VALUE) {
            throw DomainException.invalid("value is required: the account's present password or key (at most " + MAX_VALUE
                    + " characters)");
        }
    }
}
