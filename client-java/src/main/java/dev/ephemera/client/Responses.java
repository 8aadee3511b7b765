package dev.ephemera.client;

import com.fasterxml.jackson.core.JacksonException;

import java.util.function.Function;

/** Reads successful replies into client values; a reply that does not fit fails cleanly. */
final class Responses {

    private Responses() {
    }

    /**
     * @param context the call, e.g. {@code POST /v1/leases}, named in the error message
     * @throws ServerUnavailableException with code {@code invalid_response} if the body is not
     *                                    the JSON the API promises. Jackson's exception is not
     *                                    attached: its message can quote values from the body.
     */
    static <W, R> R read(int status, String body, Class<W> wireType, Function<? super W, ? extends R> convert,
                         String context) {
        String problem;
        try {
            W wire = body == null || body.isBlank() ? null : Json.MAPPER.readValue(body, wireType);
            if (wire != null) {
                return convert.apply(wire);
            }
            problem = "empty body";
        } catch (JacksonException e) {
            problem = "not the expected JSON";
        } catch (MalformedResponse e) {
            problem = e.getMessage();
        }
        throw new ServerUnavailableException(status, ServerUnavailableException.INVALID_RESPONSE,
                "Ephemera sent a malformed reply to " + context + " (HTTP " + status + "): " + problem);
    }
}
