/**
 * Mutual TLS on the API port: the handshake defers judging client certificates so that a request
 * without one still reaches routes that take bearer tokens, and the certificate is judged
 * afterwards as an X.509-SVID by {@code domain.auth}.
 */
package dev.ephemera.server.http.mtls;
