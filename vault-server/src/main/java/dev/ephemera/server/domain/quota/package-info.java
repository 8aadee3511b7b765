/**
 * Limits that keep one tenant, agent or task from starving others: token-bucket request rates and
 * lease quotas.
 */
package dev.ephemera.server.domain.quota;
