/**
 * The backends the vault leases from or rotates through: their stored configuration and roles (the
 * admin password sealed like every value), the registry the lease engine resolves backends in, and
 * the PostgreSQL backend itself, which creates a role per lease from the role's statements, marks
 * it with the lease, and drops it with its sessions on revocation; orphaned marked roles are
 * reconciled.
 */
package dev.ephemera.server.domain.backend;
