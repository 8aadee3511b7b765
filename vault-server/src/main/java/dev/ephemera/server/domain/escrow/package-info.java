/**
 * The vault's escrow services over the {@code legacy} module's mechanisms: escrowed secrets and
 * blue/green pairs, their rotation plans and drivers, consumer grants that let legacy applications
 * follow rotations, and libraries of accounts checked out exclusively as leases.
 */
package dev.ephemera.server.domain.escrow;
