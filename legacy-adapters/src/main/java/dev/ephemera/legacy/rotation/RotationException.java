package dev.ephemera.legacy.rotation;

/** A rotation step failed; the message names the account and the reason, never a password. */
public final class RotationException extends Exception {
    public RotationException(String message, Throwable cause) {
        super(message, cause);
    }

    public RotationException(String message) {
        super(message);
    }
}
