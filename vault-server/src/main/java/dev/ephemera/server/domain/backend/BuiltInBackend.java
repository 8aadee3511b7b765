package dev.ephemera.server.domain.backend;

import dev.ephemera.lease.backend.LeaseBackend;

/**
 * A backend the vault brings itself under a reserved name (library check-out, proxy routes). The
 * registry is given every one of them, so it names none and depends on none of their packages.
 */
public interface BuiltInBackend extends LeaseBackend {
    /** The reserved backend name its leases carry. */
    String name();
}
