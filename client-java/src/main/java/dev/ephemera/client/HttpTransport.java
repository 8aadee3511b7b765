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

    static HttpClient defaultClient(URI address, Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                // A redirect would carry the bearer token elsewhere; the API never redirects.
                .followRedirects(HttpClient.Redirect.NEVER)
                // Plain-HTTP HTTP/2 means an h2c upgrade attempt that many servers mishandle.
                .version(address.getScheme().equalsIgnoreCase("http") ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .build();
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

    /**
     * A 2xx reply whose shape depends on its status (201 or 202), or a 304; errors are thrown as
     * by {@link #call}. {@code etag} is the reply's entity tag, or null.
     */
    record Reply(int status, String body, String etag) {
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
        return reply(response);
    }

    /**
     * A GET that may answer 304 Not Modified, which is returned like a 2xx reply. Used for the
     * consumer's long poll, which the server may hold for {@code hold} before answering.
     *
     * @param ifNoneMatch the entity tag held, or null
     */
    Reply conditionalGet(String path, String bearer, String ifNoneMatch, Duration hold) {
        HttpRequest.Builder request = HttpRequest.newBuilder(request("GET", path, bearer, null), (name, value) -> true)
                .timeout(timeout.plus(hold));
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        HttpResponse<String> response = send(request.build());
        int status = response.statusCode();
        if (status != 304 && (status < 200 || status > 299)) {
            throw ErrorMapper.map(status, response.body(), response.headers());
        }
        return reply(response);
    }

    private static Reply reply(HttpResponse<String> response) {
        return new Reply(response.statusCode(), response.body(), response.headers().firstValue("ETag").orElse(null));
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

    /** In words: the JDK's HTTP client throws e.g. a ConnectException without a message. */
    static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String words = switch (t) {
                case java.net.http.HttpConnectTimeoutException x -> "connection timed out";
                case java.net.http.HttpTimeoutException x -> "timed out waiting for an answer";
                case java.net.ConnectException x -> "connection refused";
                case java.net.NoRouteToHostException x -> "no route to host";
                case java.net.UnknownHostException x -> "unknown host";
                case java.nio.channels.UnresolvedAddressException x -> "unknown host";
                case java.net.SocketTimeoutException x -> "timed out";
                case java.io.EOFException x -> "connection closed early";
                case java.nio.channels.ClosedChannelException x -> "connection closed";
                default -> null;
            };
            if (words != null) {
                return words;
            }
        }
        return e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName().replaceAll("Exception$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
                : e.getMessage();
    }
}
