package dev.ephemera.client;

import java.util.Locale;

/** Where a task is in its life. */
public enum TaskState {
    /** Leases can be taken. */
    ACTIVE,
    /** Ended by its agent; its leases are being revoked. */
    ENDED,
    /** Its TTL passed; its leases are being revoked. */
    EXPIRED,
    /** A state this client version does not know (a newer server). */
    UNKNOWN;

    /** Lenient on purpose: a newer server's state must not break an older client. */
    static TaskState fromWire(String state) {
        if (state == null) {
            return UNKNOWN;
        }
        return switch (state.strip().toLowerCase(Locale.ROOT)) {
            case "active" -> ACTIVE;
            case "ended" -> ENDED;
            case "expired" -> EXPIRED;
            default -> UNKNOWN;
        };
    }
}
