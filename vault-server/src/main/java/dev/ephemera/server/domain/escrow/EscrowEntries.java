package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's escrow as admins and consumers address it: by an id that names an escrowed secret or
 * a blue/green pair, answered as one {@link EscrowEntry}. Keeps the escrow whole across what uses
 * an entry — libraries, pairs, consumers and whatever else declares itself an {@link EscrowUsers}:
 * nothing is deleted, rotated or planned behind the back of something that relies on it.
 */
@Singleton
public final class EscrowEntries {
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.escrow");

    /** A rotation that took: {@code account} is the escrowed account given a new password. */
    public record Rotation(int attempts, String account, EscrowEntry entry) {}

    /** What a consumer reads: the version and value of a secret, or of a pair's active account. */
    public record Current(String id, int version, String username, String value, Instant since) {
        @Override
        public String toString() {
            return "Current[id=" + id + ", version=" + version + "]";
        }
    }

    private final EscrowService escrow;
    private final DualAccounts pairs;
    private final LibraryCatalog libraries;
    private final Consumers consumers;
    private final List<EscrowUsers> users;

    EscrowEntries(EscrowService escrow, DualAccounts pairs, LibraryCatalog libraries, Consumers consumers, List<EscrowUsers> users) {
        this.escrow = escrow;
        this.pairs = pairs;
        this.libraries = libraries;
        this.consumers = consumers;
        this.users = users;
    }

    /** The tenant's escrowed secrets, then its pairs. */
    public List<EscrowEntry> list(String tenant) {
        List<EscrowEntry> entries = new ArrayList<>(escrow.list(tenant).stream().map(this::entry).toList());
        pairs.list(tenant).forEach(pair -> entries.add(entry(pair)));
        return entries;
    }

    /** The entry an id names; 404 when it is neither a secret nor a pair. */
    public EscrowEntry require(String tenant, String id) {
        return pairs.find(tenant, Names.require("id", id)).<EscrowEntry>map(this::entry).orElseGet(() -> entry(secret(tenant, id)));
    }

    /** An escrowed secret itself; a pair's id is refused naming its accounts (their values are theirs). */
    public EscrowedSecret secret(String tenant, String id) {
        pairs.find(tenant, Names.require("id", id)).ifPresent(pair -> {
            throw DomainException.conflict(id + " is a blue/green pair of " + pair.blue() + " and " + pair.green() + " (active: "
                    + pair.active() + "); name one of its accounts");
        });
        return escrow.require(tenant, id);
    }

    /**
     * Escrows an account's present credential (see {@link EscrowService#create}), with its plan when
     * one is given; the plan was checked before anything is stored.
     */
    public EscrowEntry.Secret create(Principal.Admin admin, String id, String driver, String account, String value, boolean rotateNow,
                                     RotationPlan plan) {
        EscrowedSecret secret = escrow.create(admin.tenant(), id, driver, account, value, rotateNow);
        if (plan != null) {
            escrow.plan(admin.tenant(), id, plan);
        }
        audit.info("escrowed secret {} created by {} (tenant {}) on {}", id, admin.name(), admin.tenant(), driver);
        return entry(secret);
    }

    /** Pairs two escrowed accounts under a new id, blue active first; a library's account is refused, as it rotates it. */
    public EscrowEntry.Pair pair(Principal.Admin admin, String id, String blue, String green) {
        Names.require("id", id);
        for (String account : new String[] {Names.require("blue", blue), Names.require("green", green)}) {
            libraries.libraryOf(admin.tenant(), account).ifPresent(library -> {
                throw DomainException.invalid("account " + account + " is in library " + library.name() + ", which rotates it");
            });
        }
        DualAccountRotation.Pair pair = escrow.pair(admin.tenant(), id, blue, green);
        audit.info("dual-account pair {} of {} and {} created by {} (tenant {})", id, blue, green, admin.name(), admin.tenant());
        return entry(pair);
    }

    /** Rotates now; a library's account is refused, as check-in rotates it. A rotation that fails is a 503. */
    public Rotation rotate(Principal.Admin admin, String id) {
        String name = requireId(admin.tenant(), id);
        if (libraries.libraryOf(admin.tenant(), name).isPresent()) {
            throw DomainException.conflict(id + " is a library account: it rotates at every check-in");
        }
        audit.info("rotation of {} asked by {} (tenant {})", id, admin.name(), admin.tenant());
        return switch (escrow.rotate(admin.tenant(), name)) {
            case Rotator.Outcome.Rotated rotated -> new Rotation(rotated.attempts(), rotated.secret().id(),
                    pairs.find(admin.tenant(), name).<EscrowEntry>map(this::entry).orElseGet(() -> entry(rotated.secret())));
            case Rotator.Outcome.Failed failed -> throw DomainException.backendUnavailable("rotation of " + id + " failed after "
                    + failed.attempts() + " attempts; version " + failed.secret().current().number() + " stays current: "
                    + failed.reason());
        };
    }

    /**
     * Forgets an entry nothing uses any more, with its consumers' grants; the account itself is left
     * as it is. A pair is dissolved the same way: its two accounts stay escrowed, each on its own.
     */
    public void delete(Principal.Admin admin, String id) {
        String tenant = admin.tenant();
        String name = requireId(tenant, id);
        for (EscrowUsers user : users) {
            user.refusesDeletion(tenant, name).ifPresent(why -> {
                throw DomainException.conflict(why);
            });
        }
        if (pairs.find(tenant, name).isPresent()) {
            withdrawConsumers(tenant, name);
            escrow.dissolve(tenant, name);
            audit.warn("dual-account pair {} dissolved by {} (tenant {})", name, admin.name(), tenant);
            return;
        }
        EscrowedSecret secret = secret(tenant, name);
        libraries.libraryOf(tenant, name).ifPresent(library -> {
            throw DomainException.conflict(name + " is an account of library " + library.name() + "; remove it there first");
        });
        pairs.pairOf(tenant, name).ifPresent(pair -> {
            throw DomainException.conflict(name + " is in pair " + pair.id() + "; the pair uses it");
        });
        withdrawConsumers(tenant, name);
        escrow.delete(tenant, secret.id());
        audit.warn("escrowed secret {} deleted by {} (tenant {}) at version {}", name, admin.name(), tenant, secret.current().number());
    }

    /** A manual secret's new value, from the admin who changed it where it lives. */
    public EscrowEntry.Secret setValue(Principal.Admin admin, String id, String value) {
        EscrowedSecret secret = escrow.setValue(admin.tenant(), secret(admin.tenant(), id).id(), value);
        audit.info("value of manual secret {} set by {} (tenant {}): version {}", id, admin.name(), admin.tenant(),
                secret.current().number());
        return entry(secret);
    }

    /**
     * Sets the entry's rotation plan, asked of {@code plan} only once the entry is known to take one:
     * a library's account never does, it rotates at every check-in.
     */
    public EscrowEntry plan(String tenant, String id, Supplier<RotationPlan> plan) {
        String name = requireId(tenant, id);
        if (libraries.libraryOf(tenant, name).isPresent()) {
            throw DomainException.conflict(id + " is a library account: it rotates at every check-in, never on a plan");
        }
        escrow.plan(tenant, name, plan.get());
        return require(tenant, name);
    }

    public EscrowEntry unplan(String tenant, String id) {
        escrow.plan(tenant, requireId(tenant, id), null);
        return require(tenant, id);
    }

    public List<Consumers.Grant> consumers(String tenant, String id) {
        return consumers.of(tenant, requireId(tenant, id));
    }

    public void withdrawConsumer(Principal.Admin admin, String id, String consumerId) {
        consumers.revoke(admin.tenant(), requireId(admin.tenant(), id), consumerId);
        audit.info("consumer {} of {} withdrawn by {} (tenant {})", consumerId, id, admin.name(), admin.tenant());
    }

    /** The consumer's grant, if it reads this id; any other id does not exist for it. */
    public Consumers.Grant grantOf(Principal.Consumer consumer, String id) {
        return consumers.find(consumer.tenant(), consumer.consumerId())
                .filter(grant -> grant.secretId().equals(id))
                .orElseThrow(() -> DomainException.notFound("no escrowed secret " + id));
    }

    /** A secret's current version, or a pair's: its active account under the pair's own version. */
    public Current current(String tenant, String id) {
        if (pairs.find(tenant, id).isPresent()) {
            DualAccountRotation.Current active = pairs.current(tenant, id);
            return new Current(id, active.version(), EscrowedSecret.accountOf(active.target()), active.password(), active.since());
        }
        EscrowedSecret secret = escrow.require(tenant, id);
        return new Current(secret.id(), secret.current().number(), EscrowedSecret.accountOf(secret.target()),
                secret.current().value(), secret.current().createdAt());
    }

    /** The id of an escrowed secret or a pair, 404 when it is neither. */
    private String requireId(String tenant, String id) {
        Names.require("id", id);
        return pairs.find(tenant, id).isPresent() ? id : secret(tenant, id).id();
    }

    private void withdrawConsumers(String tenant, String id) {
        consumers.of(tenant, id).forEach(grant -> consumers.revoke(tenant, id, grant.id()));
    }

    private EscrowEntry.Pair entry(DualAccountRotation.Pair pair) {
        return new EscrowEntry.Pair(pair, pairs.nextAllowed(pair), escrow.planOf(pair.tenant(), pair.id()).orElse(null),
                escrow.nextRotation(pair.tenant(), pair.id()).orElse(null));
    }

    private EscrowEntry.Secret entry(EscrowedSecret secret) {
        return new EscrowEntry.Secret(secret, escrow.planOf(secret.tenant(), secret.id()).orElse(null),
                escrow.nextRotation(secret.tenant(), secret.id()).orElse(null),
                libraries.libraryOf(secret.tenant(), secret.id()).map(LibraryConfig::name).orElse(null));
    }
}
