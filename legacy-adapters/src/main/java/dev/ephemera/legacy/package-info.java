/**
 * Brokering for systems that cannot take ephemeral credentials: escrowed secrets, rotation drivers,
 * exclusive check-out and credential-injecting proxies. The module sits between the lease engine
 * and the server so that check-outs are leases like any other. (Built by issue #5.)
 */
package dev.ephemera.legacy;
