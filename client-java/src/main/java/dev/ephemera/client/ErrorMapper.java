package dev.ephemera.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpHeaders;
import java.time.Duration;

/** Turns an error reply ({@code {"error": code, "message": reason}}) into an exception. */
final class ErrorMapper {

    /** The code reported when the reply names none. */
    static final String UNKNOWN_CODE = "unknown";
    /** Longer server messages are cut: an exception message ends up in logs. */
    static final int MAX_MESSAGE_LENGTH = 500;

    private ErrorMapper() {
    }

    static EphemeraException map(int status, String body, HttpHeaders headers) {
        JsonNode json = parse(body);
        String code = field(json, "error");
        String message = field(json, "message");
        if (message == null) {
            // The raw body is never quoted: it may be an HTML page, or anything at all.
            message = fallbackMessage(status, code, json != null);
        }
        message = sanitise(message);
        return switch (status) {
            case 400, 409, 413, 422 -> new InvalidRequestException(status, code, message);
            case 401 -> new AuthenticationException(status, code, message);
            case 403 -> new PermissionDeniedException(status, code, message);
            case 404 -> new NotFoundException(status, code, message);
            // 408: the server gave up waiting for us; as retryable as a timeout on our side.
            case 408 -> new ServerUnavailableException(status, code, message);
            case 429 -> new RateLimitedException(status, code, message, retryAfter(headers));
            default -> status >= 400 && status < 500
                    ? new InvalidRequestException(status, code, message)
                    // 5xx, and statuses the API never sends (1xx, 3xx): the server is not usable.
                    : new ServerUnavailableException(status, code, message);
        };
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String field(JsonNode json, String name) {
        if (json == null) {
            return null;
        }
        JsonNode value = json.get(name);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static String fallbackMessage(int status, String code, boolean isJson) {
        if (status < 400 || status > 599) {
            return "Ephemera answered with unexpected HTTP status " + status;
        }
        if (code != null) {
            return "Ephemera answered HTTP " + status + " (" + code + ")";
        }
        return isJson
                ? "Ephemera answered HTTP " + status + " without an error message"
                : "Ephemera answered HTTP " + status + " with a body that is not a JSON error";
    }

    private static String sanitise(String message) {
        // Control characters would let a reply forge log lines.
        String clean = message.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() <= MAX_MESSAGE_LENGTH ? clean : clean.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }

    /** Only the delta-seconds form; an HTTP-date is rare from an API and not worth a clock. */
    private static Duration retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After")
                .map(String::strip)
                .filter(value -> value.matches("\\d{1,9}"))
                .map(value -> Duration.ofSeconds(Long.parseLong(value)))
                .orElse(null);
    }
}
