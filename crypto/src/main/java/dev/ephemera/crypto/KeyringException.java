package dev.ephemera.crypto;

/**
 * The keyring could not be opened, with the reason an operator can act on. Messages never carry key
 * material; a cause, when present, is Tink's or the JDK's own (which carries none either).
 */
public final class KeyringException extends BarrierException {

    /** Why the keyring could not be opened. */
    public enum Reason {
        /** The unseal key is not the one that wrapped this keyring. */
        WRONG_UNSEAL_KEY,
        /** The right unseal key, but the keyring's bytes fail authentication or do not parse. */
        CORRUPT,
        /** A keyring in the original format, which cannot tell a wrong key from a corrupt keyring. */
        WRONG_UNSEAL_KEY_OR_CORRUPT,
        /** A keyring format version this code does not know (written by a newer release). */
        UNKNOWN_FORMAT
    }

    private final Reason reason;

    KeyringException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    KeyringException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    static KeyringException corrupt(String detail) {
        return new KeyringException(Reason.CORRUPT, "cannot unseal: the keyring is corrupt (" + detail + ")");
    }

    static KeyringException corrupt(String detail, Throwable cause) {
        return new KeyringException(Reason.CORRUPT, "cannot unseal: the keyring is corrupt (" + detail + ")", cause);
    }

    public Reason reason() {
        return reason;
    }
}
