/**
 * Netty-level guards of the HTTP server that the framework does not give: a deadline for reading
 * request heads and strict framing of request bodies, installed on every connection.
 */
package dev.ephemera.server.http;
