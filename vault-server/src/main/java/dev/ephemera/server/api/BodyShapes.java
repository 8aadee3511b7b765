package dev.ephemera.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Says, in the API's own words, why a JSON body did not bind to the record a route takes: which
 * field and what rule ("unknown field 'tll'", "expires_at must be a time such as
 * 2030-01-01T00:00:00Z"). Never echoes a value and never names a Java type: the framework's own
 * messages do both.
 */
final class BodyShapes {
    /** Not StoredJson: reads request bodies as plain trees to explain them, binding nothing. */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A field name is named back only when it looks like one: a name may be junk of any length. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final String NOT_JSON = "the request body is not valid JSON";

    private BodyShapes() {
    }

    /** Why {@code body} is not a {@code type}; a general reason when no single field is to blame. */
    static String explain(Class<?> type, String body) {
        if (body == null) {
            return "the request body does not have the shape this call takes";
        }
        if (body.isBlank()) {
            return "a JSON request body is required";
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return notJson(e);
        }
        if (root == null || !root.isObject()) {
            return "the request body must be a JSON object";
        }
        if (!type.isRecord()) {
            return "the request body does not have the shape this call takes";
        }
        return objectProblem("", type, (ObjectNode) root)
                .orElse("the request body does not have the shape this call takes");
    }

    static String notJson(JsonProcessingException e) {
        return e.getLocation() == null ? NOT_JSON
                : NOT_JSON + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static Optional<String> objectProblem(String path, Class<?> type, ObjectNode object) {
        Map<String, RecordComponent> fields = Arrays.stream(type.getRecordComponents())
                .collect(Collectors.toMap(c -> snakeCase(c.getName()), c -> c));
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            RecordComponent field = fields.get(entry.getKey());
            if (field == null) {
                String known = fields.keySet().stream().sorted().collect(Collectors.joining(", "));
                String name = PLAIN_NAME.matcher(entry.getKey()).matches() ? "'" + path + entry.getKey() + "'" : "with an unreadable name";
                return Optional.of("unknown field " + name + (path.isEmpty() ? "" : " in " + path.substring(0, path.length() - 1))
                        + ": the fields are " + known);
            }
            Optional<String> problem = valueProblem(path + entry.getKey(), field.getGenericType(), entry.getValue());
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> valueProblem(String field, Type type, JsonNode value) {
        if (value.isNull()) {
            return Optional.empty();
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == Object.class) {
            return Optional.empty();
        }
        if (raw == String.class) {
            return value.isTextual() ? Optional.empty() : Optional.of(field + " must be a string");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return value.isBoolean() ? Optional.empty() : Optional.of(field + " must be true or false");
        }
        if (raw == Integer.class || raw == int.class) {
            return value.isIntegralNumber() && value.canConvertToInt() ? Optional.empty()
                    : Optional.of(field + " must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
        if (raw == Long.class || raw == long.class) {
            return value.isIntegralNumber() && value.canConvertToLong() ? Optional.empty()
                    : Optional.of(field + " must be a whole number");
        }
        if (raw == Instant.class) {
            return isInstant(value) ? Optional.empty() : Optional.of(field + " must be a time such as 2030-01-01T00:00:00Z");
        }
        if (List.class.isAssignableFrom(raw)) {
            if (!value.isArray()) {
                return Optional.of(field + " must be a list");
            }
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            for (int i = 0; i < value.size(); i++) {
                Optional<String> problem = valueProblem(field + "[" + i + "]", element, value.get(i));
                if (problem.isPresent()) {
                    return problem;
                }
            }
            return Optional.empty();
        }
        if (Map.class.isAssignableFrom(raw)) {
            return value.isObject() ? Optional.empty() : Optional.of(field + " must be an object");
        }
        if (raw.isRecord()) {
            return value.isObject() ? objectProblem(field + ".", raw, (ObjectNode) value) : Optional.of(field + " must be an object");
        }
        return Optional.empty();
    }

    private static boolean isInstant(JsonNode value) {
        if (!value.isTextual()) {
            return false;
        }
        try {
            Instant.parse(value.asText());
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** The wire name of a record component, as the serde's SNAKE_CASE strategy writes it. */
    static String snakeCase(String name) {
        return io.micronaut.core.naming.NameUtils.underscoreSeparate(name).toLowerCase(java.util.Locale.ROOT);
    }
}
