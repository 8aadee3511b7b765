package dev.ephemera.client;

import java.time.Duration;
import java.util.Optional;

/** The server asks the caller to slow down (HTTP 429). */
public final class RateLimitedException extends EphemeraException {

    private final Duration retryAfter;

    /** @param retryAfter the server's {@code Retry-After} delay, or null if it sent none */
    public RateLimitedException(int status, String errorCode, String message, Duration retryAfter) {
        super(status, errorCode, message, null);
        this.retryAfter = retryAfter;
    }

    /** How long the server asked the caller to wait, when it said so in seconds. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
