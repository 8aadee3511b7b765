package dev.ephemera.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static dev.ephemera.client.Fixtures.TASK_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** Builds requests without sending them: headers, URIs and JSON bodies. */
class HttpTransportTest {

    private final HttpTransport transport = new HttpTransport(URI.create("http://127.0.0.1:8200"),
            Duration.ofSeconds(7), HttpClient.newHttpClient());

    @Test
    void anUnreachableVaultIsSaidInWordsNeverNull() throws Exception {
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        HttpTransport dead = new HttpTransport(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(5), HttpClient.newHttpClient());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dead.exchange("GET", "v1/sys/health", TASK_TOKEN, null))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessageEndingWith(": connection refused")
                .hasMessageNotContaining("null").hasMessageNotContaining("Exception");
    }

    @Test
    void postCarriesJsonHeadersTokenAndTimeout() throws Exception {
        HttpRequest request = transport.request("POST", "v1/leases", TASK_TOKEN, new Wire.LeaseRequest("demo", "readonly", 300L));

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:8200/v1/leases"));
        assertThat(request.timeout()).contains(Duration.ofSeconds(7));
        assertThat(request.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(request.headers().firstValue("Accept")).contains("application/json");
        assertThat(request.headers().firstValue("Authorization")).contains("Bearer " + TASK_TOKEN);
        assertThat(request.headers().firstValue("User-Agent")).contains("ephemera-client-java/" + ClientVersion.VERSION);
        assertThat(body(request)).isEqualTo("{\"backend\":\"demo\",\"role\":\"readonly\",\"ttl\":300}");
    }

    @Test
    void userAgentCarriesTheBuildVersion() {
        assertThat(ClientVersion.VERSION).isNotBlank().isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void getHasNoBody() {
        HttpRequest request = transport.request("GET", "v1/tasks/self", TASK_TOKEN, null);

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:8200/v1/tasks/self"));
        assertThat(request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L)).isZero();
        assertThat(request.headers().firstValue("Content-Type")).isEmpty();
        assertThat(request.headers().firstValue("Accept")).contains("application/json");
    }

    @Test
    void bodilessPostSendsAnEmptyObject() throws Exception {
        HttpRequest request = transport.request("POST", "v1/tasks/self/end", TASK_TOKEN, null);

        assertThat(body(request)).isEqualTo("{}");
        assertThat(request.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void requestBodiesAreSnakeCaseWholeSecondsAndOmitAbsentTtl() throws Exception {
        assertThat(body(transport.request("POST", "v1/tasks", TASK_TOKEN, new Wire.StartTaskRequest("summarise Q3 orders", 900L))))
                .isEqualTo("{\"objective\":\"summarise Q3 orders\",\"ttl\":900}");
        assertThat(body(transport.request("POST", "v1/tasks", TASK_TOKEN, new Wire.StartTaskRequest("o", null))))
                .isEqualTo("{\"objective\":\"o\"}");
        assertThat(body(transport.request("POST", "v1/leases", TASK_TOKEN, new Wire.LeaseRequest("demo", "readonly", null))))
                .isEqualTo("{\"backend\":\"demo\",\"role\":\"readonly\"}");
        assertThat(body(transport.request("POST", "v1/leases/l1/renew", TASK_TOKEN, new Wire.RenewRequest(300))))
                .isEqualTo("{\"increment\":300}");
    }

    @Test
    void addressPathIsKeptAsPrefix() {
        var behindProxy = new HttpTransport(URI.create("https://gw.example/vault"), Duration.ofSeconds(1), HttpClient.newHttpClient());
        var withSlash = new HttpTransport(URI.create("https://gw.example/vault/"), Duration.ofSeconds(1), HttpClient.newHttpClient());

        assertThat(behindProxy.request("GET", "v1/tasks/self", TASK_TOKEN, null).uri())
                .isEqualTo(URI.create("https://gw.example/vault/v1/tasks/self"));
        assertThat(withSlash.request("GET", "v1/leases/lease_1", TASK_TOKEN, null).uri())
                .isEqualTo(URI.create("https://gw.example/vault/v1/leases/lease_1"));
    }

    @Test
    void leaseIdIsEncodedIntoOnePathSegment() {
        String path = "v1/leases/" + Args.pathSegment("../tasks/self", "leaseId") + "/revoke";

        assertThat(transport.request("POST", path, TASK_TOKEN, null).uri().getRawPath())
                .isEqualTo("/v1/leases/..%2Ftasks%2Fself/revoke");
    }

    /** Drains a request's body publisher synchronously; nothing is sent anywhere. */
    private static String body(HttpRequest request) throws Exception {
        HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElseThrow();
        List<ByteBuffer> chunks = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                chunks.add(item);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(5, TimeUnit.SECONDS);
        var subscriber = HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        subscriber.onNext(chunks);
        subscriber.onComplete();
        return subscriber.getBody().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
