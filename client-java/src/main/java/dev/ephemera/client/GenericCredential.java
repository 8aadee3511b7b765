package dev.ephemera.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A credential of a type this client version does not model, exposed as its fields. Non-text
 * JSON values arrive as their JSON text. Every value is treated as secret: {@code toString}
 * shows the field names only.
 */
public record GenericCredential(String type, Map<String, String> fields) implements Credential {

    public GenericCredential {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(fields, "fields must not be null");
        // Insertion order kept so that toString lists the fields as the server sent them.
        var copy = new LinkedHashMap<String, String>();
        fields.forEach((name, value) -> copy.put(
                Objects.requireNonNull(name, "field name must not be null"),
                Objects.requireNonNull(value, "field value must not be null")));
        fields = Collections.unmodifiableMap(copy);
    }

    @Override
    public String toString() {
        var shown = new StringBuilder("GenericCredential[type=").append(type).append(", fields={");
        String separator = "";
        for (String name : fields.keySet()) {
            shown.append(separator).append(name).append("=***");
            separator = ", ";
        }
        return shown.append("}]").toString();
    }
}
