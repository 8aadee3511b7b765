package dev.ephemera.lease;

/** A request the engine refuses; the message is safe to show to the caller. */
public class LeaseException extends RuntimeException {
    private final Reason reason;

    public enum Reason { NOT_FOUND, NOT_RENEWABLE, NOT_REVOKING, BACKEND_UNKNOWN, BACKEND_FAILED, QUOTA_EXCEEDED, SHUTTING_DOWN,
        /** Revoked (or expired) before its credential could be handed over; the credential was destroyed. */
        REVOKED }

    public LeaseException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public LeaseException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
