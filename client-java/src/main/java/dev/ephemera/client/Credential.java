package dev.ephemera.client;

/**
 * A secret issued with a lease. Sealed: a credential type the client knows has its own record,
 * anything newer arrives as a {@link GenericCredential}. No implementation shows a secret value
 * in {@code toString}.
 */
public sealed interface Credential permits PostgresCredential, GenericCredential {

    /** The server's credential type, e.g. {@code postgresql}. */
    String type();
}
