package dev.ephemera.client;

/** The caller is authenticated but not allowed to do this (HTTP 403). */
public final class PermissionDeniedException extends EphemeraException {

    public PermissionDeniedException(int status, String errorCode, String message) {
        super(status, errorCode, message, null);
    }
}
