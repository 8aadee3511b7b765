/**
 * Taking a lease for a task: the checks every lease goes through once policy has permitted it
 * (declared roles, TTL bounds, an agent that may still act), approvals when the permit asks for
 * one, and the grant with the permit written in the lease's own batch; renewing one within the
 * same policy.
 */
package dev.ephemera.server.domain.lease;
