package dev.ephemera.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
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
    /**
     * The vault's base address: absolute http or https with a host. A path is kept as a prefix
     * (for a reverse proxy); user info, query and fragment are refused.
     *
     * @param credential the builder method that carries identity instead, named in the refusal
     */
    static URI vaultAddress(URI address, String credential) {
        Objects.requireNonNull(address, "address must not be null");
        String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
        if (!address.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("address must be an absolute http or https URI, got " + address);
        }
        if (address.getHost() == null) {
            throw new IllegalArgumentException("address must name a host, got " + address);
        }
        if (address.getRawUserInfo() != null) {
            // Not echoed: user info is a credential.
            throw new IllegalArgumentException("address must not contain user info; authenticate with " + credential);
        }
        if (address.getRawQuery() != null || address.getRawFragment() != null) {
            throw new IllegalArgumentException("address must not have a query or fragment, got " + address);
        }
        return address;
    }

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
