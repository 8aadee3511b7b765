package dev.ephemera.client;

import java.util.Locale;

/** The sensitivity of the data a task handles; policies compare it. */
public enum Sensitivity {
    PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
