package dev.ephemera.crypto;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Random tokens, passwords, usernames and identifiers from one CSPRNG. */
public final class SecretGenerator {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";
    /** Safe unquoted in PostgreSQL, LDAP and URLs, so a password never needs escaping downstream. */
    private static final String PASSWORD_ALPHABET = UPPER + LOWER + DIGITS + "-_.~";
    private static final String USERNAME_ALPHABET = LOWER + DIGITS;
    private static final String BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final Pattern USERNAME_PREFIX = Pattern.compile("[a-z0-9_]+");
    private static final int MIN_USERNAME_RANDOM = 16;

    private SecretGenerator() {
    }

    /** A bearer token: prefix + 256 random bits in base64url. */
    public static String token(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String password(int length) {
        if (length < 16 || length > 128) {
            throw new IllegalArgumentException("password length must be 16 to 128");
        }
        while (true) {
            String candidate = random(PASSWORD_ALPHABET, length);
            if (candidate.chars().anyMatch(c -> UPPER.indexOf(c) >= 0)
                    && candidate.chars().anyMatch(c -> LOWER.indexOf(c) >= 0)
                    && candidate.chars().anyMatch(c -> DIGITS.indexOf(c) >= 0)) {
                return candidate;
            }
        }
    }

    public static String username(String prefix, int maxLength) {
        if (!USERNAME_PREFIX.matcher(prefix).matches() || maxLength - prefix.length() < MIN_USERNAME_RANDOM) {
            throw new IllegalArgumentException("username prefix must be [a-z0-9_]+ and leave room for "
                    + MIN_USERNAME_RANDOM + " random characters");
        }
        return prefix + random(USERNAME_ALPHABET, maxLength - prefix.length());
    }

    /** An identifier such as "lease_…": prefix + 26 characters of lowercase base32 (130 bits). */
    public static String identifier(String prefix) {
        return prefix + random(BASE32, 26);
    }

    private static String random(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
