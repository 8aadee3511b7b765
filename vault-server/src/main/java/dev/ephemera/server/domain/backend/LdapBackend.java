package dev.ephemera.server.domain.backend;

import dev.ephemera.legacy.rotation.LdapAccountDriver;
import dev.ephemera.server.domain.core.DomainException;

/** An LDAP backend: a directory whose escrowed accounts the vault rotates. It issues no leases. */
public final class LdapBackend {
    public static final String TYPE = "ldap";
    private static final String PASSWORD_MODIFY = "password_modify";
    private static final String REPLACE = "replace";

    private LdapBackend() {
    }

    /**
     * The stored name of an LDAP backend's password mode: {@code password_modify} (RFC 3062, the
     * default: the directory hashes by its own policy) or {@code replace} (a replace of
     * {@code userPassword}, for directories without the extended operation).
     */
    public static String passwordMode(String requested) {
        if (requested == null || requested.equals(PASSWORD_MODIFY)) {
            return PASSWORD_MODIFY;
        }
        if (requested.equals(REPLACE)) {
            return REPLACE;
        }
        throw DomainException.invalid("password_mode must be \"" + PASSWORD_MODIFY + "\" or \"" + REPLACE + "\"");
    }

    /** Backends stored before the mode existed used password modify. */
    public static LdapAccountDriver.Mode mode(String stored) {
        return REPLACE.equals(stored) ? LdapAccountDriver.Mode.REPLACE : LdapAccountDriver.Mode.PASSWORD_MODIFY;
    }
}
