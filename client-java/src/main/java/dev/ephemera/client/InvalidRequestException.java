package dev.ephemera.client;

/** The server refused the request as invalid (HTTP 400, 409, 413, 422 and other 4xx). */
public final class InvalidRequestException extends EphemeraException {

    public InvalidRequestException(int status, String errorCode, String message) {
        super(status, errorCode, message, null);
    }
}
