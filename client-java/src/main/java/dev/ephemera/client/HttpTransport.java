package dev.ephemera.client;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Function;

/**
 * Sends one JSON call to Ephemera and maps its reply. Immutable; {@link HttpClient} and the
 * shared ObjectMapper are thread-safe, so one instance serves every thread.
 */
final class HttpTransport {

    private static final String JSON = "application/json";

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /** @param address the server's address; a path on it (a reverse-proxy prefix) is kept */
    HttpTransport(URI address, Duration timeout, HttpClient http) {
        String text = address.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.timeout = timeout;
        this.http = http;
    }

    URI address() {
        return base;
    }

    /**
     * @param path    relative to the address, e.g. {@code v1/leases}
     * @param body    a request record, or null for a call without a body
     * @param convert turns the reply's wire record into the client value; may throw
     *                {@link MalformedResponse}
     */
    <W, R> R call(String method, String path, String bearer, Object body, Class<W> wireType,
                  Function<? super W, ? extends R> convert) {
        HttpResponse<String> response = send(request(method, path, bearer, body));
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw ErrorMapper.map(status, response.body(), response.headers());
        }
        return Responses.read(status, response.body(), wireType, convert, method + " /" + path);
    }

    /** A 2xx reply whose shape depends on its status (201 or 202); errors are thrown as by {@link #call}. */
    record Reply(int status, String body) {
        @Override
        public String toString() {
            return "Reply[status=" + status + "]"; // the body may hold a credential
        }
    }

    Reply exchange(String method, String path, String bearer, Object body) {
        HttpResponse<String> response = send(request(method, path, bearer, body));
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw ErrorMapper.map(status, response.body(), response.headers());
        }
        return new Reply(status, response.body());
    }

    Duration timeout() {
        return timeout;
    }

    HttpRequest request(String method, String path, String bearer, Object body) {
        if (!Args.isBearerToken(bearer)) {
            // Not quoted: the value is a credential.
            throw new IllegalStateException("token for " + method + " /" + path + " is not a valid bearer token");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Accept", JSON)
                .header("User-Agent", ClientVersion.USER_AGENT)
                .header("Authorization", "Bearer " + bearer);
        if (body == null && method.equals("GET")) {
            return request.GET().build();
        }
        // Bodiless POSTs still send {} so that any JSON-expecting endpoint gets valid JSON.
        return request.header("Content-Type", JSON)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(encode(body)))
                .build();
    }

    private static byte[] encode(Object body) {
        if (body == null) {
            return new byte[] {'{', '}'};
        }
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // Request records are plain strings and numbers; this is a bug, not an input error.
            throw new IllegalStateException("cannot encode " + body.getClass().getSimpleName(), e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ServerUnavailableException(0, ServerUnavailableException.TIMEOUT,
                    "Ephemera at " + base + " did not answer " + describe(request) + " within " + timeout, e);
        } catch (IOException e) {
            throw new ServerUnavailableException(0, ServerUnavailableException.TRANSPORT_ERROR,
                    "cannot reach Ephemera at " + base + " for " + describe(request) + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerUnavailableException(0, ServerUnavailableException.INTERRUPTED,
                    "interrupted while waiting for Ephemera to answer " + describe(request), e);
        }
    }

    private String describe(HttpRequest request) {
        return request.method() + " /" + base.relativize(request.uri());
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " " + e.getMessage();
    }
}
