package dev.ephemera.server.domain.core;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;

/**
 * This vault's identifier, created with its data and kept in it. It marks what the vault creates in
 * other systems (the PostgreSQL roles it leases), so that a clean-up there touches only this vault's
 * own — several vaults, or a dev and a production one, may share one database server.
 */
@Singleton
public final class VaultIdentity {
    private static final byte[] KEY = Keys.of("vault-identity");

    record Stored(String id) {}

    private final String id;

    VaultIdentity(Documents documents) {
        this.id = documents.get(KEY, Stored.class).map(Stored::id).orElseGet(() -> {
            Stored created = new Stored(SecretGenerator.identifier("vault_"));
            documents.put(KEY, created);
            return created.id();
        });
    }

    public String id() {
        return id;
    }
}
