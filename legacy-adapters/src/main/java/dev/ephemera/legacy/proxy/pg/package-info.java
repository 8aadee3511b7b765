/**
 * A PostgreSQL wire-protocol proxy: the agent connects with TLS and its proxy-lease token as
 * password; the proxy logs in upstream with SCRAM-SHA-256 (full SASLprep) and the escrowed
 * password, then pumps bytes, and ends the upstream session when the lease is revoked. Handshakes
 * are bounded in time and per source.
 */
package dev.ephemera.legacy.proxy.pg;
