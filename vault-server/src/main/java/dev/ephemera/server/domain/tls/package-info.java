/**
 * TLS material the vault makes itself: a self-signed identity for the API and proxies when none is
 * configured, and the AEAD-only cipher-suite list both use.
 */
package dev.ephemera.server.domain.tls;
