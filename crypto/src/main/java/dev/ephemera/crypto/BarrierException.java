package dev.ephemera.crypto;

/** A value that cannot be sealed or opened: wrong key, wrong context, or tampered bytes. */
public sealed class BarrierException extends RuntimeException permits KeyringException {
    public BarrierException(String message) {
        super(message);
    }

    public BarrierException(String message, Throwable cause) {
        super(message, cause);
    }
}
