/**
 * Brokering for systems that cannot take ephemeral credentials. The module sits between the lease
 * engine and the server so that check-outs and proxy sessions are leases like any other:
 * {@code escrow} (versioned secrets: current, previous, pending), {@code rotation} (a driver SPI,
 * PostgreSQL roles and LDAP accounts, crash-safe rotation, period and cron schedules, blue/green
 * pairs), {@code checkout} (exclusive holds; check-in rotates), and the credential-injecting proxies
 * {@code proxy.http} (header injection, hop-by-hop protection, redacted streaming) and
 * {@code proxy.pg} (PostgreSQL wire protocol: TLS from the agent, its lease token as password,
 * SCRAM-SHA-256 upstream with the escrowed password).
 */
package dev.ephemera.legacy;
