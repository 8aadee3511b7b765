/**
 * Brokering for systems that cannot take ephemeral credentials: escrowed secrets, rotation drivers,
 * exclusive check-out and credential-injecting proxies. The module sits between the lease engine
 * and the server so that check-outs are leases like any other. So far: {@code escrow} (versioned
 * secrets) and {@code rotation} (a driver SPI, PostgreSQL roles and LDAP accounts, crash-safe rotation, schedules, blue/green pairs) and {@code checkout} (exclusive holds; check-in rotates), and {@code proxy.pg} (a PostgreSQL wire-protocol proxy that logs in with the escrowed password for an agent holding only a lease token).
 */
package dev.ephemera.legacy;
