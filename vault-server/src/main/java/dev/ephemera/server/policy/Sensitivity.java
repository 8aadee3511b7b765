package dev.ephemera.server.policy;

import dev.ephemera.server.api.ApiException;
import java.util.Arrays;
import java.util.Locale;

/** The data sensitivity a task declares, ordered so that policies can compare levels. */
public enum Sensitivity {
    PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The declared value, {@code internal} when absent; anything else is a 400 naming the choices. */
    public static Sensitivity parse(String value) {
        if (value == null || value.isBlank()) {
            return INTERNAL;
        }
        return Arrays.stream(values()).filter(s -> s.label().equals(value.strip().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> ApiException.invalid("sensitivity must be one of public, internal, confidential, restricted"));
    }
}
