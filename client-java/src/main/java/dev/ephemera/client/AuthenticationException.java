package dev.ephemera.client;

/** The workload token or task token was rejected (HTTP 401): missing, expired, or not trusted. */
public final class AuthenticationException extends EphemeraException {

    public AuthenticationException(int status, String errorCode, String message) {
        super(status, errorCode, message, null);
    }
}
