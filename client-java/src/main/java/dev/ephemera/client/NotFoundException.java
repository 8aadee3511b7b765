package dev.ephemera.client;

/** The task or lease does not exist, or is not visible to this task (HTTP 404). */
public final class NotFoundException extends EphemeraException {

    public NotFoundException(int status, String errorCode, String message) {
        super(status, errorCode, message, null);
    }
}
