package dev.ephemera.server.domain.policy;

import dev.ephemera.server.domain.core.DomainException;
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
                .orElseThrow(() -> DomainException.invalid("sensitivity must be one of public, internal, confidential, restricted"));
    }
}
