package dev.ephemera.server.domain.backend;

import java.time.Instant;

/**
 * How the vault reaches a backend. Stored only through the barrier; printed never with its password.
 *
 * @param passwordMode how an LDAP backend sets a rotated password ({@code password_modify} or
 *     {@code replace}); null for other types and for LDAP backends stored before it existed
 */
public record BackendConfig(String name, String type, String connectionUrl, String username, String password,
                            Instant updatedAt, String passwordMode) {

    @Override
    public String toString() {
        return "BackendConfig[name=" + name + ", type=" + type + ", connectionUrl=" + connectionUrl
                + ", username=" + username + (passwordMode == null ? "" : ", passwordMode=" + passwordMode) + "]";
    }
}
