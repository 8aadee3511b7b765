package dev.ephemera.lease.backend;

import java.util.Optional;

/** Finds the backend a lease belongs to by its configured name. */
@FunctionalInterface
public interface BackendResolver {
    Optional<LeaseBackend> resolve(String backendName);
}
