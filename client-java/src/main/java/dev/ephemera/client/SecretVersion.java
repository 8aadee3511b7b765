package dev.ephemera.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of an escrowed secret, as its consumer reads it. {@link #toString()} never shows
 * the value.
 *
 * @param id        the escrowed secret's id
 * @param version   grows by one at every rotation
 * @param username  the account the value opens (a database role, an LDAP DN...), or null when
 *                  the secret names none
 * @param value     the secret itself
 * @param rotatedAt when this version became current
 */
public record SecretVersion(String id, int version, String username, String value, Instant rotatedAt) {

    public SecretVersion {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(value, "value must not be null");
        Objects.requireNonNull(rotatedAt, "rotatedAt must not be null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive, got " + version);
        }
    }

    /** Whether this version came after {@code other}; any version is newer than none. */
    public boolean isNewerThan(SecretVersion other) {
        return other == null || version > other.version;
    }

    @Override
    public String toString() {
        return "SecretVersion[id=" + id + ", version=" + version + ", username=" + username
                + ", value=***, rotatedAt=" + rotatedAt + "]";
    }
}
