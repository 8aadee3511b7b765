/**
 * Java client of Ephemera, the ephemeral secrets vault for AI agents.
 *
 * <p>{@link dev.ephemera.client.Ephemera} opens {@link dev.ephemera.client.Task tasks} with the
 * agent's workload identity; a task leases short-lived {@link dev.ephemera.client.Credential
 * credentials} and revokes them all when it is closed. Legacy applications holding a consumer
 * grant use {@link dev.ephemera.client.EscrowConsumer}: a {@link dev.ephemera.client.SecretWatcher}
 * follows an escrowed secret across rotations and feeds a {@link dev.ephemera.client.SecretFileSink}
 * or a {@link dev.ephemera.client.RotatingDataSource}. Every failure is an unchecked
 * {@link dev.ephemera.client.EphemeraException}. Depends on the JDK and Jackson only.
 */
package dev.ephemera.client;
