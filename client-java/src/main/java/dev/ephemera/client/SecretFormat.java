package dev.ephemera.client;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Stock contents for a {@link SecretFileSink}; any {@code Function<SecretVersion, byte[]>} will do. */
public final class SecretFormat {

    private SecretFormat() {
    }

    /** The value alone, as UTF-8, without a trailing newline. */
    public static Function<SecretVersion, byte[]> value() {
        return version -> version.value().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code KEY=value} lines for an env file or a properties file: the username under
     * {@code usernameKey} (left out when the secret names no account), the value under
     * {@code valueKey}. A value with a line break cannot be written this way and is refused.
     */
    public static Function<SecretVersion, byte[]> keyValue(String usernameKey, String valueKey) {
        Args.requireText(usernameKey, "usernameKey");
        Args.requireText(valueKey, "valueKey");
        return version -> {
            var lines = new StringBuilder();
            if (version.username() != null) {
                lines.append(usernameKey).append('=').append(singleLine(version.username(), "username", version)).append('\n');
            }
            lines.append(valueKey).append('=').append(singleLine(version.value(), "value", version)).append('\n');
            return lines.toString().getBytes(StandardCharsets.UTF_8);
        };
    }

    /** {@code {"id", "version", "username", "value", "rotated_at"}}, as the vault serves it. */
    public static Function<SecretVersion, byte[]> json() {
        return version -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("id", version.id());
            fields.put("version", version.version());
            fields.put("username", version.username());
            fields.put("value", version.value());
            fields.put("rotated_at", version.rotatedAt().toString());
            try {
                return Json.MAPPER.writeValueAsBytes(fields);
            } catch (JsonProcessingException e) {
                // Strings and a number always encode; the exception could quote the value, so it is not kept.
                throw new IllegalStateException("cannot encode version " + version.version() + " of secret " + version.id());
            }
        };
    }

    private static String singleLine(String text, String field, SecretVersion version) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the " + field + " of version " + version.version() + " of secret "
                    + version.id() + " spans lines; write it with SecretFormat.value() or json()");
        }
        return text;
    }
}
