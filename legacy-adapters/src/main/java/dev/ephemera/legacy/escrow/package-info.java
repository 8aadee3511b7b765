/**
 * Escrowed secrets for systems that cannot take ephemeral credentials: each secret keeps its
 * current, previous and pending versions so that a rotation interrupted by a crash is finished or
 * rolled back, never lost. Storage is the sealed store; the vault's services over it live in the
 * server's {@code domain.escrow}.
 */
package dev.ephemera.legacy.escrow;
