/**
 * The dev server: one command that starts a vault on a local RocksDB directory, unsealed, with a
 * local workload-token issuer, a demo agent and policy, and optionally an embedded PostgreSQL to
 * lease from; it survives its own kill and restart on the same data directory.
 */
package dev.ephemera.server.dev;
