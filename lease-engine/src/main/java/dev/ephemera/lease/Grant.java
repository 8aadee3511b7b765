package dev.ephemera.lease;

import dev.ephemera.lease.backend.Credential;

/** A lease that is durably recorded, together with the credential it leases (which is never stored). */
public record Grant(Lease lease, Credential credential) {
}
