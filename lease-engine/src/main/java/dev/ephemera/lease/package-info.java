/**
 * The lease engine: durable leases with TTLs, revoked at expiry, on request, or in bulk by task,
 * agent, owner or backend. A lease is written before its credential is issued, revocations are
 * retried with backoff until the backend confirms them, and recovery re-arms every pending lease
 * after a restart. Depends on {@code storage}; knows backends only through the SPI in {@code
 * lease.backend}.
 */
package dev.ephemera.lease;
