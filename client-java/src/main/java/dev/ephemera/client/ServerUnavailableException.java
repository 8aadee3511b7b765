package dev.ephemera.client;

/**
 * Ephemera could not serve the request: a 5xx reply, a reply that is not the expected JSON, a
 * timeout, or no reply at all. Usually worth retrying later.
 */
public final class ServerUnavailableException extends EphemeraException {

    /** Client-side code: the connection failed or broke before a reply arrived (status 0). */
    public static final String TRANSPORT_ERROR = "transport_error";
    /** Client-side code: no reply within the request timeout (status 0). */
    public static final String TIMEOUT = "timeout";
    /** Client-side code: the thread was interrupted while waiting for the reply (status 0). */
    public static final String INTERRUPTED = "interrupted";
    /** Client-side code: a reply arrived but is not what the API promises. */
    public static final String INVALID_RESPONSE = "invalid_response";

    public ServerUnavailableException(int status, String errorCode, String message) {
        super(status, errorCode, message, null);
    }

    public ServerUnavailableException(int status, String errorCode, String message, Throwable cause) {
        super(status, errorCode, message, cause);
    }
}
