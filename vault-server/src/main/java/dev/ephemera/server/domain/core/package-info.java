/**
 * The kernel every domain package stands on: {@link
 * dev.ephemera.server.domain.core.DomainException} (a refusal with a kind and a stable code, mapped
 * to HTTP by the API layer alone), names, TTL bounds and durations as the API accepts them, JSON
 * documents in the sealed store, and the vault's identity. Depends on no other package of the
 * server.
 */
package dev.ephemera.server.domain.core;
