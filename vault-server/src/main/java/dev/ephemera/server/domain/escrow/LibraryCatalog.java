package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.core.TtlBounds;
import dev.ephemera.server.domain.approval.Guarded;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Admin configuration of account libraries, checked against the escrow before it is stored. */
@Singleton
public final class LibraryCatalog {
    private static final int MAX_ACCOUNTS = 1000;
    private static final TtlBounds DEFAULTS = new TtlBounds(Duration.ofHours(1), Duration.ofHours(8));

    private final Documents documents;
    private final EscrowService escrow;
    private final DualAccounts pairs;
    private final InstantSource clock;

    LibraryCatalog(Documents documents, EscrowService escrow, DualAccounts pairs, InstantSource clock) {
        this.documents = documents;
        this.escrow = escrow;
        this.pairs = pairs;
        this.clock = clock;
    }

    /**
     * Every account must be escrowed, rotatable by the vault (check-in rotates it) and not on a
     * rotation plan (a scheduled rotation would kill the holder's password mid-task), nor in a
     * blue/green pair (whose switch would). Check-out hands a task an account's password, so adding
     * an account is break-glass: stored only when every account was in the library already (a
     * change of TTLs, or a removal) or when {@code approvedDetail} is exactly this library's {@link #detail}.
     */
    public synchronized Guarded<LibraryConfig> configure(String tenant, String name, List<String> accounts, Duration defaultTtl,
                                                         Duration maxTtl, String approvedDetail) {
        Names.require("library name", name);
        if (accounts == null || accounts.isEmpty() || accounts.size() > MAX_ACCOUNTS) {
            throw DomainException.invalid("accounts must list 1 to " + MAX_ACCOUNTS + " escrowed secrets");
        }
        if (new LinkedHashSet<>(accounts).size() != accounts.size()) {
            throw DomainException.invalid("accounts lists a secret twice");
        }
        for (String account : accounts) {
            EscrowedSecret secret = escrow.find(tenant, Names.require("account", account))
                    .orElseThrow(() -> DomainException.invalid("account " + account + " is not an escrowed secret of this tenant"));
            if (RotationDrivers.MANUAL.equals(secret.driver())) {
                throw DomainException.invalid("account " + account + " is manual: check-in could not rotate it");
            }
            if (escrow.planOf(tenant, account).isPresent()) {
                throw DomainException.invalid("account " + account + " has a rotation plan; library accounts rotate at every check-in,"
                        + " so remove its plan first");
            }
            pairs.pairOf(tenant, account).ifPresent(pair -> {
                throw DomainException.invalid("account " + account + " is in blue/green pair " + pair.id() + ", which rotates it");
            });
        }
        for (LibraryConfig other : list(tenant)) {
            if (!other.name().equals(name) && other.accounts().stream().anyMatch(accounts::contains)) {
                throw DomainException.invalid("an account of library " + other.name() + " cannot be in a second library");
            }
        }
        TtlBounds ttl = TtlBounds.of(defaultTtl, maxTtl, DEFAULTS);
        LibraryConfig config = new LibraryConfig(tenant, name, accounts, ttl.defaultTtl(), ttl.maxTtl(), clock.instant());
        boolean nothingAdded = find(tenant, name).filter(old -> old.accounts().containsAll(accounts)).isPresent();
        if (!nothingAdded && !detail(config).equals(approvedDetail)) {
            return new Guarded.Held<>(config, detail(config));
        }
        documents.put(Keys.of("library", tenant, name), config);
        return new Guarded.Stored<>(config);
    }

    /** What approvers of a library's accounts approve: the library and every account it hands out. */
    public static String detail(String name, List<String> accounts) {
        return "library " + name + " checks out " + String.join(", ", accounts.stream().sorted().toList());
    }

    private static String detail(LibraryConfig config) {
        return detail(config.name(), config.accounts());
    }

    public Optional<LibraryConfig> find(String tenant, String name) {
        return documents.get(Keys.of("library", tenant, name), LibraryConfig.class);
    }

    public List<LibraryConfig> list(String tenant) {
        return documents.list(Keys.prefix("library", tenant), LibraryConfig.class);
    }

    /** The library an escrowed secret belongs to, if any. */
    public Optional<LibraryConfig> libraryOf(String tenant, String secretId) {
        return list(tenant).stream().filter(library -> library.accounts().contains(secretId)).findFirst();
    }
}
