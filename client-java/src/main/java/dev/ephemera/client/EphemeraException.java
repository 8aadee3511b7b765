package dev.ephemera.client;

/**
 * Base of every failure reported by the Ephemera client. Unchecked, and sealed so that callers
 * can switch exhaustively over the kinds of failure.
 *
 * <p>{@link #status()} is the HTTP status of the server's reply, or 0 when no reply arrived.
 * {@link #errorCode()} is the server's {@code error} code ({@code not_found}, {@code forbidden},
 * ...), {@code unknown} when the reply carried none, or one of the client-side
 * codes of {@link ServerUnavailableException}. The message is the server's {@code message}: it
 * never contains a request body or a token.
 */
public abstract sealed class EphemeraException extends RuntimeException
        permits AuthenticationException, PermissionDeniedException, NotFoundException,
                InvalidRequestException, RateLimitedException, ServerUnavailableException, ApprovalPendingException {

    private final int status;
    private final String errorCode;

    EphemeraException(int status, String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode == null ? ErrorMapper.UNKNOWN_CODE : errorCode;
    }

    /** The HTTP status of the server's reply; 0 for transport failures (no reply at all). */
    public int status() {
        return status;
    }

    /** The server's machine-readable error code, never null. */
    public String errorCode() {
        return errorCode;
    }
}
