/**
 * Policy: each tenant's Cedar policy set, validated against the vault's schema, and the decider
 * that turns an intent (who, what, for which task) into a permit or a denial, kept in the decision
 * log with the lease it led to.
 */
package dev.ephemera.server.domain.policy;
