package dev.ephemera.legacy.proxy;

/**
 * A proxy cut a revoked lease's clients but could not confirm that the work they started upstream
 * has ended, so the revocation must not be reported done; asking the proxy again retries. The
 * message names no secret.
 */
public final class RevocationIncompleteException extends Exception {
    public RevocationIncompleteException(String message) {
        super(message, null, false, false);
    }
}
