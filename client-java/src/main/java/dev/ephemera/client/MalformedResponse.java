package dev.ephemera.client;

/**
 * Internal signal that a reply does not match the API. Its message names the offending field,
 * never a value; {@link Responses} turns it into a {@link ServerUnavailableException}.
 */
final class MalformedResponse extends RuntimeException {

    MalformedResponse(String message) {
        super(message, null, false, false);
    }
}
