package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.checkout.AccountLibrary;
import dev.ephemera.legacy.checkout.CheckOut;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.server.domain.backend.BuiltInBackend;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Check-out as a lease: the lease engine's built-in backend {@value #NAME}, whose roles are the
 * tenant's libraries. Preparing a lease reserves a free account for it; issuing hands over the
 * account's current password; revoking — at check-in, task end, expiry or offboarding, all of which
 * revoke leases — rotates the password before the account is free again. A rotation that fails
 * fails the revocation, which the engine retries, so the account is never freed with a live copy.
 */
@Singleton
public final class LibraryBackend implements BuiltInBackend {
    public static final String NAME = "library";

    @Override
    public String name() {
        return NAME;
    }

    /** Every account of the library is held; {@code nextFree} is when the first is due back. */
    public static final class NoneFree extends BackendException {
        private final transient Instant nextFree;

        NoneFree(String library, int accounts, Instant nextFree) {
            super("all " + accounts + " accounts of library " + library + " are checked out", false);
            this.nextFree = nextFree;
        }

        public Optional<Instant> nextFree() {
            return Optional.ofNullable(nextFree);
        }
    }

    private final LibraryCatalog catalog;
    private final AccountLibrary library;
    private final EscrowStore escrow;

    LibraryBackend(LibraryCatalog catalog, AccountLibrary library, EscrowStore escrow) {
        this.catalog = catalog;
        this.library = library;
        this.escrow = escrow;
    }

    @Override
    public Map<String, String> prepare(IssueRequest request) throws BackendException {
        LibraryConfig config = catalog.find(request.tenant(), request.role())
                .orElseThrow(() -> new BackendException("no library " + request.role(), false));
        return switch (library.checkOut(request.tenant(), config.name(), config.accounts(), request.leaseId(), request.expiresAt())) {
            case AccountLibrary.Outcome.Granted granted -> Map.of("tenant", request.tenant(), "account",
                    granted.checkOut().account(), "holder", request.leaseId());
            case AccountLibrary.Outcome.NoneFree none -> throw new NoneFree(config.name(), none.accounts(), none.nextFree());
        };
    }

    @Override
    public Credential issue(IssueRequest request, Map<String, String> handle) throws BackendException {
        String account = handle.get("account");
        boolean held = library.holder(request.tenant(), account).map(CheckOut::holder).filter(request.leaseId()::equals).isPresent();
        EscrowedSecret secret = escrow.find(request.tenant(), account).orElse(null);
        if (!held || secret == null) {
            throw new BackendException("account " + account + " is no longer reserved for this lease", false);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("account", account);
        fields.put("username", Objects.requireNonNullElse(secret.account(), account));
        fields.put("password", secret.current().value());
        return new Credential("account", fields);
    }

    @Override
    public void renew(String role, Map<String, String> handle, Instant expiresAt) {
        library.extend(handle.get("tenant"), handle.get("account"), handle.get("holder"), expiresAt);
    }

    @Override
    public void revoke(String role, Map<String, String> handle) throws BackendException {
        String tenant = handle.get("tenant");
        String account = handle.get("account");
        String holder = handle.get("holder");
        if (library.holder(tenant, account).map(CheckOut::holder).filter(holder::equals).isEmpty()) {
            return; // checked in already, or never checked out by this lease
        }
        try {
            if (library.checkIn(tenant, account, holder) instanceof Rotator.Outcome.Failed failed) {
                throw new BackendException("check-in of " + account + " could not rotate its password: " + failed.reason(), true);
            }
        } catch (RotationException e) {
            throw new BackendException("check-in of " + account + " could not rotate its password: " + e.getMessage(), true);
        }
    }
}
