package dev.ephemera.server.domain.auth;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The named admins of each tenant. A name stands for one person and holds one token: a second
 * token for a name that is taken is refused, so nobody (an operator included) can act under a
 * registered person's name with a token of their own. Approvals count these people, each once.
 * Names compare ignoring case, as votes do.
 */
@Singleton
public final class Admins {
    /**
     * A registered admin. {@code tokenKey} locates its token's record (a keyed hash), not the token;
     * {@code registeredAt} says whether the person was an admin before a request was filed.
     */
    public record Admin(String name, String tenant, boolean operator, String tokenKey, Instant registeredAt) {}

    private final Documents documents;

    Admins(Documents documents) {
        this.documents = documents;
    }

    public Optional<Admin> find(String tenant, String name) {
        return documents.get(key(tenant, name), Admin.class);
    }

    /** The registered admin whose token this is; empty for a token of no registered admin (or of an older one). */
    public Optional<Admin> holding(String tenant, String name, byte[] tokenKey) {
        return find(tenant, name).filter(admin -> MessageDigest.isEqual(HexFormat.of().parseHex(admin.tokenKey()), tokenKey));
    }

    /** Refuses a name that is taken in the tenant; the caller writes the registration with the token. */
    void requireFree(String tenant, String name) {
        if (find(tenant, name).isPresent()) {
            throw DomainException.conflict("tenant " + tenant + " has an admin named " + name
                    + " already: a name stands for one person, so pick another name");
        }
    }

    static byte[] key(String tenant, String name) {
        return Keys.of("admin", tenant, name.strip().toLowerCase(Locale.ROOT));
    }
}
