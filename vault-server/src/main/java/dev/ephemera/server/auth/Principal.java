package dev.ephemera.server.auth;

/** Who is calling, as established from the request's bearer token. */
public sealed interface Principal {
    String tenant();

    record Admin(String name, String tenant) implements Principal {}

    record TaskHolder(String taskId, String tenant) implements Principal {}
}
