/**
 * An HTTP forward proxy that injects an escrowed credential into requests to one upstream, strips
 * hop-by-hop headers the agent could abuse, streams bodies with the secret redacted from responses,
 * and counts what passes for the audit.
 */
package dev.ephemera.legacy.proxy.http;
