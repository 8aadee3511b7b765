package dev.ephemera.server.domain.auth;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A SPIFFE ID ({@code spiffe://trust-domain/path}), the one place where the vault reads one, by the
 * SPIFFE ID specification (SPIFFE-ID.md sections 2 to 2.3): the scheme is {@code spiffe} in lower
 * case; the trust domain is 1 to 255 of {@code a-z 0-9 . - _} with no userinfo or port; the path is
 * empty or {@code /segment...}, each segment non-empty, neither {@code .} nor {@code ..}, of
 * {@code a-z A-Z 0-9 . - _} (so no trailing slash, no percent-encoding, no query or fragment); the
 * whole ID is at most 2048 bytes. The constructor holds the same rules, so no invalid ID exists.
 */
public record SpiffeId(String trustDomain, String path) {
    public static final int MAX_LENGTH = 2048;
    private static final int MAX_TRUST_DOMAIN = 255;
    private static final String SCHEME_PREFIX = "spiffe://";

    /** Thrown with the rule an ID breaks; the message never repeats the ID. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String rule) {
            super(rule);
        }
    }

    public SpiffeId {
        requireTrustDomain(trustDomain);
        requirePath(path);
        if (SCHEME_PREFIX.length() + trustDomain.length() + path.length() > MAX_LENGTH) {
            throw new Invalid("a SPIFFE ID is at most " + MAX_LENGTH + " bytes");
        }
    }

    public static SpiffeId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new Invalid("a SPIFFE ID is required");
        }
        // Length first, in bytes, so no work is spent on an overlong input.
        if (text.length() > MAX_LENGTH || text.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new Invalid("a SPIFFE ID is at most " + MAX_LENGTH + " bytes");
        }
        if (!text.startsWith(SCHEME_PREFIX)) {
            throw new Invalid("a SPIFFE ID starts with spiffe:// (scheme in lower case)");
        }
        String rest = text.substring(SCHEME_PREFIX.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new SpiffeId(rest, "") : new SpiffeId(rest.substring(0, slash), rest.substring(slash));
    }

    /** The ID when {@code text} is a valid SPIFFE ID, else empty. */
    public static Optional<SpiffeId> tryParse(String text) {
        try {
            return Optional.of(parse(text));
        } catch (Invalid e) {
            return Optional.empty();
        }
    }

    /** The trust domain ID {@code spiffe://trust-domain} (no path): names the domain itself, not a workload. */
    public static SpiffeId ofTrustDomain(String trustDomain) {
        return new SpiffeId(trustDomain, "");
    }

    /** Workloads are named by IDs with a path; the bare trust domain ID names the domain (X509-SVID.md 3.1). */
    public boolean namesWorkload() {
        return !path.isEmpty();
    }

    public boolean memberOf(String domain) {
        return trustDomain.equals(domain);
    }

    @Override
    public String toString() {
        return SCHEME_PREFIX + trustDomain + path;
    }

    private static void requireTrustDomain(String trustDomain) {
        if (trustDomain == null || trustDomain.isEmpty()) {
            throw new Invalid("a SPIFFE ID names a trust domain");
        }
        if (trustDomain.length() > MAX_TRUST_DOMAIN) {
            throw new Invalid("a trust domain is at most " + MAX_TRUST_DOMAIN + " bytes");
        }
        for (int i = 0; i < trustDomain.length(); i++) {
            char c = trustDomain.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                throw new Invalid(switch (c) {
                    case ':' -> "a SPIFFE ID has no port";
                    case '@' -> "a SPIFFE ID has no userinfo";
                    case '?', '#' -> "a SPIFFE ID has no query or fragment";
                    default -> "a trust domain holds only lower-case letters, digits, '.', '-' and '_'";
                });
            }
        }
    }

    private static void requirePath(String path) {
        if (path == null) {
            throw new Invalid("a SPIFFE ID's path is empty or starts with /");
        }
        if (path.isEmpty()) {
            return;
        }
        if (path.charAt(0) != '/') {
            throw new Invalid("a SPIFFE ID's path is empty or starts with /");
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                throw new Invalid("a SPIFFE ID's path segments are not empty (no // and no trailing /)");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new Invalid("a SPIFFE ID's path has no . or .. segments");
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                    throw new Invalid(c == '?' || c == '#' ? "a SPIFFE ID has no query or fragment"
                            : "a SPIFFE ID's path holds only letters, digits, '.', '-' and '_'");
                }
            }
        }
    }
}
