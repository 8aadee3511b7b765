/**
 * The HTTP layer: controllers, request and response bodies, who may call each route ({@code
 * @CalledBy}, refused by default), and the single place where a {@link
 * dev.ephemera.server.domain.core.DomainException} or a lease-engine refusal becomes an HTTP status
 * and an error body. Controllers parse and authenticate; the decisions are the domain's.
 */
package dev.ephemera.server.api;
