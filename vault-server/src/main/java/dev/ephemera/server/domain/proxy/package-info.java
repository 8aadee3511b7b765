/**
 * The vault's side of the credential-injecting proxies: routes from a lease to an upstream and its
 * escrowed secret, proxy-lease tokens, the gate that admits a connection only while its lease is
 * active, the proxy servers' lifecycle and TLS, and the audit of proxied connections.
 */
package dev.ephemera.server.domain.proxy;
