package dev.ephemera.storage;

import java.nio.charset.StandardCharsets;

/** Keys are '/'-separated UTF-8 paths such as {@code lease/lease_abc}. */
public final class Keys {
    private Keys() {
    }

    public static byte[] of(String... parts) {
        return join(parts, false);
    }

    /** The parts followed by '/': scans under it never match a longer sibling such as "a/bc" for "a/b". */
    public static byte[] prefix(String... parts) {
        return join(parts, true);
    }

    /** Whether {@code part} may stand in a key: a name taken from a request may not, and then names nothing. */
    public static boolean isPart(String part) {
        return part != null && !part.isEmpty() && part.indexOf('/') < 0;
    }

    public static String toString(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static byte[] join(String[] parts, boolean trailingSeparator) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (!isPart(part)) {
                throw new IllegalArgumentException("a key part must be non-empty and contain no '/'");
            }
            if (i > 0) {
                key.append('/');
            }
            key.append(part);
        }
        if (trailingSeparator) {
            key.append('/');
        }
        return key.toString().getBytes(StandardCharsets.UTF_8);
    }
}
