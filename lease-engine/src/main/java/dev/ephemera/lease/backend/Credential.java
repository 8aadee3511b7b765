package dev.ephemera.lease.backend;

import java.util.Map;
import java.util.Objects;

/**
 * The secret half of a grant, returned to the agent once and never persisted. {@code fields} holds
 * values such as username, password and connection URL; none of them is ever printed.
 */
public record Credential(String type, Map<String, String> fields) {

    public Credential {
        Objects.requireNonNull(type, "type");
        fields = Map.copyOf(fields);
    }

    @Override
    public String toString() {
        return "Credential[type=" + type + ", fields=" + fields.keySet() + "]";
    }
}
