package dev.ephemera.server.backend;

import java.time.Instant;

/** How the vault reaches a backend. Stored only through the barrier; printed never with its password. */
public record BackendConfig(String name, String type, String connectionUrl, String username, String password,
                            Instant updatedAt) {

    @Override
    public String toString() {
        return "BackendConfig[name=" + name + ", type=" + type + ", connectionUrl=" + connectionUrl
                + ", username=" + username + "]";
    }
}
