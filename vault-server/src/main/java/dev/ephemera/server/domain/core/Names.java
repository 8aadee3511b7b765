package dev.ephemera.server.domain.core;

import java.util.regex.Pattern;

/** Names of backends, roles, issuers and agents: short, lowercase, safe as storage key parts. */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Names() {
    }

    public static String require(String field, String value) {
        if (value == null) {
            throw DomainException.invalid(field + " is required");
        }
        if (!NAME.matcher(value).matches()) {
            throw DomainException.invalid(field + " must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }
}
