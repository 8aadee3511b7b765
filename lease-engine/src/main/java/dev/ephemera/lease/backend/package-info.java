/**
 * The SPI between the lease engine and the systems that issue credentials: issue a credential for a
 * lease, revoke it by target, report failures as retryable or not. Implemented by the server's
 * PostgreSQL backend and by the library and proxy backends.
 */
package dev.ephemera.lease.backend;
