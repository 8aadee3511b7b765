package dev.ephemera.server.domain.approval;

/**
 * What a break-glass-guarded configuration change did: stored, or held because it would let more
 * reach an escrowed secret than before and no approval of exactly {@code detail} was given.
 */
public sealed interface Guarded<T> {
    record Stored<T>(T value) implements Guarded<T> {}

    /** Not stored: {@code detail} names exactly what needs two approvals. */
    record Held<T>(T candidate, String detail) implements Guarded<T> {}
}
