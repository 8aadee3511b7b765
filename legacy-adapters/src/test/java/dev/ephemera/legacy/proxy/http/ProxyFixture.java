package dev.ephemera.legacy.proxy.http;

import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** A started proxy in front of a {@link FakeUpstream}, with three leases: Basic, API key, and an upstream that is down. */
final class ProxyFixture implements AutoCloseable {
    static final String PASSWORD = "Pa55-w0rd-9f2c";
    static final String USER_PASSWORD_BASE64 =
            Base64.getEncoder().encodeToString(("svc-billing:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    static final String BASIC = "Basic " + USER_PASSWORD_BASE64;
    static final String API_KEY = "ak_live_7Hq2Zr9XwQ";
    static final String BASIC_TOKEN = "lt_basic_R4nd0mT0ken";
    static final String KEY_TOKEN = "lt_key_X9y8W7v6";
    static final String DOWN_TOKEN = "lt_down_Q1w2E3";
    static final List<String> SECRETS = List.of(PASSWORD, USER_PASSWORD_BASE64, BASIC, API_KEY, BASIC_TOKEN, KEY_TOKEN,
            DOWN_TOKEN);
    static final ProxyLease BASIC_LEASE = new ProxyLease("acme", "task-1", "agent-7", "lease-basic", "billing-api");
    static final ProxyLease KEY_LEASE = new ProxyLease("acme", "task-2", "agent-7", "lease-key", "search-api");
    static final ProxyLease DOWN_LEASE = new ProxyLease("acme", "task-3", "agent-7", "lease-down", "gone-api");

    final FakeUpstream upstream;
    final RecordingAudit audit = new RecordingAudit();
    final HttpProxyServer proxy;
    /** Uses the proxy the way a forward-proxy client does: absolute-form targets naming the upstream. */
    final HttpClient agent;

    ProxyFixture() throws IOException {
        this(HttpProxyServer.DEFAULT_REQUEST_TIMEOUT);
    }

    ProxyFixture(Duration requestTimeout) throws IOException {
        this(requestTimeout, null);
    }

    ProxyFixture(Duration requestTimeout, SSLContext tls) throws IOException {
        upstream = new FakeUpstream(Map.of("Authorization", BASIC, "X-API-Key", API_KEY));
        URI down = URI.create("http://127.0.0.1:" + freePort() + "/api/");
        HttpProxyAuthenticator authenticator = (token, client) -> switch (token) {
            case BASIC_TOKEN -> new HttpUpstream(upstream.base(), "Authorization", BASIC,
                    List.of(PASSWORD, USER_PASSWORD_BASE64, BASIC), BASIC_LEASE);
            case KEY_TOKEN -> new HttpUpstream(upstream.base(), "X-API-Key", API_KEY, List.of(API_KEY), KEY_LEASE);
            case DOWN_TOKEN -> new HttpUpstream(down, "X-API-Key", API_KEY, List.of(API_KEY), DOWN_LEASE);
            default -> throw new ProxyRefusedException("unknown or expired lease token");
        };
        proxy = new HttpProxyServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls, authenticator,
                audit, requestTimeout);
        proxy.start();
        agent = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port())))
                .build();
    }

    HttpRequest.Builder request(String token, String path) {
        return HttpRequest.newBuilder(upstream.base().resolve(path)).header("Proxy-Authorization", "Bearer " + token);
    }

    HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return agent.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    RawAgent.Response raw(String head) throws IOException {
        return RawAgent.send(proxy.port(), head);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        agent.shutdownNow();
        proxy.close();
        upstream.close();
    }
}
