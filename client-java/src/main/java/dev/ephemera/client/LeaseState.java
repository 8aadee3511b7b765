package dev.ephemera.client;

import java.util.Locale;

/** Where a lease is in its life. */
public enum LeaseState {
    /** The credential is valid. */
    ACTIVE,
    /** Revocation is under way; the credential may still work for a moment. */
    REVOKING,
    /** The credential has been removed from its backend. */
    REVOKED,
    /** Revocation failed for good; an operator has to clean up the backend. */
    IRREVOCABLE,
    /** A state this client version does not know (a newer server). */
    UNKNOWN;

    /** Lenient on purpose: a newer server's state must not break an older client. */
    static LeaseState fromWire(String state) {
        if (state == null) {
            return UNKNOWN;
        }
        return switch (state.strip().toLowerCase(Locale.ROOT)) {
            case "active" -> ACTIVE;
            case "revoking" -> REVOKING;
            case "revoked" -> REVOKED;
            case "irrevocable" -> IRREVOCABLE;
            default -> UNKNOWN;
        };
    }
}
