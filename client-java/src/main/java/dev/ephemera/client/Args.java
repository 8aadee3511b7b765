package dev.ephemera.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/** Client-side argument checks, so that mistakes fail before a request is sent. */
final class Args {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Args() {
    }

    static String requireText(String value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    /** The API takes durations as whole seconds; rounding silently would change the caller's intent. */
    static long seconds(Duration duration, String name) {
        Objects.requireNonNull(duration, () -> name + " must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        if (duration.getNano() != 0) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds (at least 1), got " + duration);
        }
        return duration.getSeconds();
    }

    static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, () -> name + " must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }

    /**
     * Checked before a token goes into a header: the JDK's own header check quotes the value in
     * its exception message, which would leak the token.
     */
    static boolean isBearerToken(String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, so an id stays one segment. */
    static String pathSegment(String value, String name) {
        requireText(value, name);
        if (value.equals(".") || value.equals("..")) {
            // Dot segments survive encoding and would be resolved as relative paths.
            throw new IllegalArgumentException(name + " must not be a dot segment, got " + value);
        }
        var encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                encoded.append(c);
            } else {
                encoded.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return encoded.toString();
    }
}
