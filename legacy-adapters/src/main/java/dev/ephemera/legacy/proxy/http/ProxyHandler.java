package dev.ephemera.legacy.proxy.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.Headers;
import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one HTTP exchange: authenticates the lease token, checks the request, sends it upstream with
 * the credential added, and streams the answer back with every form of the secret blanked out. Logs and
 * audit name the connection and the lease, never the token, the credential or what is redacted.
 */
final class ProxyHandler implements HttpHandler {
    private static final String PROTOCOL = "http";
    private static final int MAX_REQUEST_HEADER_BYTES = 32 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);
    /** Not StoredJson: writes the refusal body sent to an HTTP client, never a stored record. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER_BYTES = 16 * 1024;

    private final HttpClient upstreamClient;
    private final HttpProxyAuthenticator authenticator;
    private final ProxyAudit audit;
    private final Duration requestTimeout;
    private final Set<InFlight> inFlight;

    ProxyHandler(HttpClient upstreamClient, HttpProxyAuthenticator authenticator, ProxyAudit audit,
                 Duration requestTimeout, Set<InFlight> inFlight) {
        this.upstreamClient = upstreamClient;
        this.authenticator = authenticator;
        this.audit = audit;
        this.requestTimeout = requestTimeout;
        this.inFlight = inFlight;
    }

    /** What crossed the proxy in each direction: request body bytes in, response body bytes out. */
    private record Tally(AtomicLong fromClient, AtomicLong toClient) {
        Tally() {
            this(new AtomicLong(), new AtomicLong());
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String client = clientAddress(exchange);
        HttpUpstream upstream;
        try {
            upstream = authenticator.authenticate(leaseToken(exchange.getRequestHeaders()), client);
        } catch (ProxyRefusedException e) {
            audit.refused(PROTOCOL, client, e.getMessage());
            exchange.getResponseHeaders().set("Proxy-Authenticate", "Bearer");
            reply(exchange, new ExchangeRefused(407, "proxy_refused", e.getMessage()), new Tally());
            return;
        } catch (RuntimeException e) {
            log.warn("lease authentication failed for {}: {}", client, e.getClass().getName());
            audit.refused(PROTOCOL, client, "authentication failed");
            reply(exchange, new ExchangeRefused(503, "proxy_unavailable", "the lease token could not be checked"),
                    new Tally());
            return;
        }
        carry(exchange, upstream, client);
    }

    private void carry(HttpExchange exchange, HttpUpstream upstream, String client) throws IOException {
        String id = "htc_" + HexFormat.of().formatHex(randomBytes());
        ProxyLease lease = upstream.lease();
        Tally tally = new Tally();
        InFlight flight = new InFlight(lease.leaseId(), Thread.currentThread());
        audit.opened(id, PROTOCOL, lease, client);
        inFlight.add(flight);
        String reason = "broken";
        try {
            reason = Integer.toString(forward(exchange, upstream, flight, tally));
        } catch (ExchangeRefused refused) {
            reason = Integer.toString(refused.status());
            reply(exchange, refused, tally);
        } catch (IOException | RuntimeException e) {
            // Rethrown so the server drops the connection: a truncated body must not look complete.
            reason = flight.aborted() ? "lease_closed" : "broken";
            throw e;
        } finally {
            inFlight.remove(flight);
            // A closeLease that raced the end of the exchange leaves an interrupt the audit sink must not inherit.
            Thread.interrupted();
            audit.closed(id, PROTOCOL, lease, tally.fromClient().get(), tally.toClient().get(), reason);
            log.debug("{} lease {} {} -> {}", id, lease.leaseId(), exchange.getRequestMethod(), reason);
        }
    }

    private int forward(HttpExchange exchange, HttpUpstream upstream, InFlight flight, Tally tally)
            throws ExchangeRefused, IOException {
        Headers headers = exchange.getRequestHeaders();
        checkHeaderSize(headers);
        if ("CONNECT".equalsIgnoreCase(exchange.getRequestMethod())) {
            throw new ExchangeRefused(405, "method_refused", "the proxy does not open tunnels");
        }
        HopByHop.checkRequest(headers, upstream.header());
        URI target = UpstreamPath.resolve(upstream.base(), exchange.getRequestURI());
        HttpResponse<InputStream> response = send(request(exchange, upstream, target, tally), flight);
        try (InputStream body = response.body()) {
            flight.streaming(body);
            return respond(exchange, upstream, response, body, tally);
        }
    }

    private HttpRequest request(HttpExchange exchange, HttpUpstream upstream, URI target, Tally tally)
            throws ExchangeRefused {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(target)
                    .timeout(requestTimeout)
                    .method(exchange.getRequestMethod(), body(exchange, tally));
            HopByHop.requestHeaders(exchange.getRequestHeaders(), upstream.header())
                    .forEach(header -> builder.header(header.getKey(), header.getValue()));
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefused(400, "bad_request", "the request cannot be forwarded as sent");
        }
        // Identity only: a compressed answer could not be scanned for the secret.
        builder.setHeader("Accept-Encoding", "identity");
        try {
            builder.setHeader(upstream.header(), upstream.value());
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefused(502, "bad_credential", "the leased credential cannot be sent as a header");
        }
        return builder.build();
    }

    private static BodyPublisher body(HttpExchange exchange, Tally tally) {
        Headers headers = exchange.getRequestHeaders();
        InputStream in = new CountingInputStream(exchange.getRequestBody(), tally.fromClient());
        String length = headers.getFirst("Content-Length");
        if (length != null) {
            long bytes = Long.parseLong(length.trim());
            return bytes == 0 ? BodyPublishers.noBody() : BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> in), bytes);
        }
        return headers.containsKey("Transfer-Encoding") ? BodyPublishers.ofInputStream(() -> in) : BodyPublishers.noBody();
    }

    private HttpResponse<InputStream> send(HttpRequest request, InFlight flight) throws ExchangeRefused, IOException {
        try {
            return upstreamClient.send(request, BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            throw new IOException("the lease was closed");
        } catch (IOException e) {
            if (flight.aborted()) {
                throw e;
            }
            // The class only: an I/O message could quote what was being sent.
            log.debug("upstream exchange failed: {}", e.getClass().getName());
            if (e instanceof HttpTimeoutException) {
                throw new ExchangeRefused(504, "upstream_timeout", "the upstream did not answer in time");
            }
            throw new ExchangeRefused(502, "upstream_unreachable", "the upstream could not be reached or broke off");
        }
    }

    private static int respond(HttpExchange exchange, HttpUpstream upstream, HttpResponse<InputStream> response,
                               InputStream body, Tally tally) throws ExchangeRefused, IOException {
        int status = response.statusCode();
        if (status < 200) {
            throw new ExchangeRefused(502, "upstream_protocol", "the upstream answered with an interim status");
        }
        for (String encoding : response.headers().allValues("Content-Encoding")) {
            if (!encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                throw new ExchangeRefused(502, "upstream_encoding",
                        "the upstream answered with a content encoding the proxy cannot scan");
            }
        }
        List<String> forms = new ArrayList<>(upstream.redact());
        forms.add(upstream.value()); // whatever the vault listed, the injected value itself never comes back
        Redactor redactor = new Redactor(forms);
        Headers out = exchange.getResponseHeaders();
        HopByHop.responseHeaders(response.headers())
                .forEach((name, values) -> values.forEach(value -> out.add(name, redactor.redact(value))));
        boolean bodiless = exchange.getRequestMethod().equalsIgnoreCase("HEAD") || status == 204 || status == 304
                || response.headers().firstValueAsLong("Content-Length").orElse(-1) == 0;
        // Redaction can change a body's length, so every body goes out chunked, whatever length was declared.
        exchange.sendResponseHeaders(status, bodiless ? -1 : 0);
        if (!bodiless) {
            copy(body, redactor.filter(new CountingOutputStream(exchange.getResponseBody(), tally.toClient())));
        }
        exchange.close();
        return status;
    }

    /** Closes {@code out} only when the whole body went through, so a failure never ends the chunked body cleanly. */
    private static void copy(InputStream body, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int n; (n = body.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
            if (body.available() == 0) {
                out.flush();
            }
        }
        out.close();
    }

    private static void reply(HttpExchange exchange, ExchangeRefused refused, Tally tally) throws IOException {
        byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("error", refused.error())
                .put("reason", refused.getMessage()));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        // After a refusal the rest of what the client sent on this connection is not worth reading.
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(refused.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        tally.toClient().addAndGet(body.length);
    }

    /**
     * {@code Proxy-Authorization: Bearer} for clients that speak to a proxy; {@code Ephemera-Lease-Token}
     * for those that cannot set a proxy header on a direct request (the JDK's HttpClient drops it),
     * so that they can reach an https upstream through a plain request to the proxy.
     */
    private static String leaseToken(Headers headers) throws ProxyRefusedException {
        List<String> values = headers.get("Proxy-Authorization");
        String scheme = "Bearer ";
        if (values == null && headers.get(HopByHop.LEASE_TOKEN_HEADER) != null) {
            List<String> direct = headers.get(HopByHop.LEASE_TOKEN_HEADER);
            if (direct.size() == 1 && !direct.getFirst().isBlank()) {
                return direct.getFirst().trim();
            }
        } else if (values != null && values.size() == 1 && values.getFirst().regionMatches(true, 0, scheme, 0, scheme.length())
                && !values.getFirst().substring(scheme.length()).isBlank()) {
            return values.getFirst().substring(scheme.length()).trim();
        }
        throw new ProxyRefusedException("send the lease token once, as Proxy-Authorization: Bearer <token> or "
                + HopByHop.LEASE_TOKEN_HEADER + ": <token>");
    }

    private static void checkHeaderSize(Headers headers) throws ExchangeRefused {
        long bytes = 0;
        for (var header : headers.entrySet()) {
            for (String value : header.getValue()) {
                bytes += header.getKey().length() + value.length() + 4;
            }
        }
        if (bytes > MAX_REQUEST_HEADER_BYTES) {
            throw new ExchangeRefused(431, "headers_too_large",
                    "request headers exceed " + MAX_REQUEST_HEADER_BYTES + " bytes");
        }
    }

    private static String clientAddress(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote.getAddress() == null ? remote.getHostString() + ":" + remote.getPort()
                : remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
