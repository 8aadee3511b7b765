package dev.ephemera.server.domain.escrow;

import java.util.Optional;

/**
 * Something outside the escrow that still uses an escrowed secret or pair by its id, such as a proxy
 * route. Its package depends on this one, so it answers here rather than being asked by name.
 */
public interface EscrowUsers {
    /** Why the entry cannot be deleted while this user holds it; empty when it does not. */
    Optional<String> refusesDeletion(String tenant, String id);
}
