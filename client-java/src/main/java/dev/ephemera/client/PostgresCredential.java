package dev.ephemera.client;

import java.util.Objects;

/** A PostgreSQL login created for one lease; it stops working when the lease is revoked. */
public record PostgresCredential(String username, String password, String jdbcUrl) implements Credential {

    /** The wire name of this credential type. */
    public static final String TYPE = "postgresql";

    public PostgresCredential {
        Objects.requireNonNull(username, "username must not be null");
        Objects.requireNonNull(password, "password must not be null");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "PostgresCredential[username=" + username + ", password=***, jdbcUrl=" + jdbcUrl + "]";
    }
}
