package dev.ephemera.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Keeps each request's body, as received, beside the request: when it does not bind to its route's
 * record, {@link ErrorBodies} reads it again to say which field is wrong. A streamed body cannot be
 * read twice otherwise. Bodies are bounded (max-request-size) and live as long as the request.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RequestBodies {
    private static final String ATTRIBUTE = "ephemera.raw-body";

    @RequestFilter
    void keep(HttpRequest<?> request, @Nullable @Body byte[] body) {
        if (body != null) {
            request.setAttribute(ATTRIBUTE, body);
        }
    }

    /** The body as received, or null when there was none. */
    static String of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, byte[].class)
                .map(bytes -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).orElse(null);
    }
}
