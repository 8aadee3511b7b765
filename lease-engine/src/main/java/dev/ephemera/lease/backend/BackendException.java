package dev.ephemera.lease.backend;

/**
 * A backend operation that did not happen. Messages must be free of secrets: implementations redact
 * any value they generated before building one, because the message is stored and shown.
 */
public class BackendException extends Exception {
    private final boolean retryable;

    public BackendException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public BackendException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True when the same call may succeed later (backend down); false for a refusal (bad role). */
    public boolean retryable() {
        return retryable;
    }
}
