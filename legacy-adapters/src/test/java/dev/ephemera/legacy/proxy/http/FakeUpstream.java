package dev.ephemera.legacy.proxy.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * The service behind the proxy: answers only requests carrying one of the expected credentials and
 * records everything it received, so tests can say what crossed the proxy and what did not.
 */
final class FakeUpstream implements AutoCloseable {
    static final int BIG = 5 * 1024 * 1024;

    /** One request as the upstream saw it; header names lower-cased. */
    record Received(String method, String target, Map<String, List<String>> headers, long bodyBytes, String bodySha256) {
        List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of());
        }
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    /** Lets {@code /split} write the second half of its credential. */
    final CountDownLatch secondHalf = new CountDownLatch(1);
    private final Map<String, String> credentials;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    /** @param credentials header name to the one value the upstream accepts under it */
    FakeUpstream(Map<String, String> credentials) throws IOException {
        this.credentials = credentials;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/api/", this::handle);
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/");
    }

    static byte[] bigBody() {
        byte[] bytes = new byte[BIG];
        new java.util.Random(7).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                body.length, sha256(body)));
        String credential = credentials.entrySet().stream()
                .filter(c -> List.of(c.getValue()).equals(exchange.getRequestHeaders().get(c.getKey())))
                .map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (credential == null) {
            send(exchange, 401, "no valid credential".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String path = exchange.getRequestURI().getPath().substring("/api".length());
        switch (path) {
            case "/echo" -> echo(exchange);
            case "/upload" -> send(exchange, 200, (sha256(body) + " " + body.length).getBytes(StandardCharsets.UTF_8));
            case "/big" -> big(exchange);
            case "/fixed" -> send(exchange, 200, ("credential=" + credential).getBytes(StandardCharsets.UTF_8));
            case "/split" -> split(exchange, credential);
            case "/gzip" -> gzip(exchange, credential);
            case "/slow" -> slow(exchange);
            case "/hang" -> {
                await(release);
                send(exchange, 200, new byte[0]);
            }
            case "/redirect" -> {
                exchange.getResponseHeaders().set("Location", "http://evil.example/collect");
                send(exchange, 302, new byte[0]);
            }
            default -> send(exchange, 404, new byte[0]);
        }
    }

    /** Everything it was sent, in its body and as response headers: the worst case for a leak. */
    private static void echo(HttpExchange exchange) throws IOException {
        StringBuilder text = new StringBuilder(exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n");
        exchange.getRequestHeaders().forEach((name, values) -> values.forEach(value -> {
            text.append(name).append(": ").append(value).append('\n');
            exchange.getResponseHeaders().add("X-Echo-" + name, value);
        }));
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void big(HttpExchange exchange) throws IOException {
        byte[] body = bigBody();
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < body.length; at += 64 * 1024) {
                out.write(body, at, Math.min(64 * 1024, body.length - at));
            }
        }
    }

    /**
     * The credential in two flushes, the second once the test opens {@link #secondHalf}: a test that
     * opens it only after the agent got the first write's start knows the proxy read the halves apart.
     */
    private void split(HttpExchange exchange, String credential) throws IOException {
        int half = credential.length() / 2;
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(("credential=" + credential.substring(0, half)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            await(secondHalf);
            out.write((credential.substring(half) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void gzip(HttpExchange exchange, String credential) throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(zipped)) {
            out.write(credential.getBytes(StandardCharsets.UTF_8));
        }
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        send(exchange, 200, zipped.toByteArray());
    }

    private void slow(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("start\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            await(release);
            out.write("end\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        secondHalf.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
