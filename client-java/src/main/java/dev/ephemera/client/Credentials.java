package dev.ephemera.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns the {@code credential} object of a lease reply into a typed {@link Credential}. */
final class Credentials {

    private Credentials() {
    }

    static Credential fromJson(JsonNode credential) {
        if (!credential.isObject()) {
            throw new MalformedResponse("field credential is not an object");
        }
        String type = text(credential, "type");
        if (PostgresCredential.TYPE.equals(type)) {
            return new PostgresCredential(text(credential, "username"), text(credential, "password"),
                    text(credential, "jdbc_url"));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : credential.properties()) {
            JsonNode value = field.getValue();
            if (field.getKey().equals("type") || value.isNull()) {
                continue;
            }
            // Nested values are kept as their JSON text so nothing the server sent is lost.
            fields.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
        }
        return new GenericCredential(type, fields);
    }

    private static String text(JsonNode credential, String field) {
        JsonNode value = credential.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new MalformedResponse("missing field credential." + field);
        }
        return value.asText();
    }
}
