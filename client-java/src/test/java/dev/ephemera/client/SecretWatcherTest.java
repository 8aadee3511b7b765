package dev.ephemera.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watcher against a stand-in vault that can fail on demand: it rides out an outage and stops on a refusal. */
class SecretWatcherTest {
    private static final Pattern WAIT = Pattern.compile("(?:^|&)wait=(\\d+)s");

    private final AtomicInteger version = new AtomicInteger(1);
    private final AtomicInteger failWith = new AtomicInteger();
    /** One permit per request the stand-in received. */
    private final Semaphore requests = new Semaphore(0);
    /** Opened, and replaced, at each change of what the stand-in answers: held long polls then answer. */
    private volatile CountDownLatch nextChange = new CountDownLatch(1);
    private HttpServer server;
    private EscrowConsumer consumer;

    @BeforeEach
    void startVault() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/escrow/app-db/current", this::current);
        server.start();
        consumer = EscrowConsumer.builder().address(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .consumerToken("consumer-token-1\n").requestTimeout(Duration.ofSeconds(2))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build();
    }

    @AfterEach
    void stopVault() {
        change(() -> { });
        server.stop(0);
    }

    /** Changes what the stand-in answers, and answers the long polls it holds. */
    private void change(Runnable edit) {
        edit.run();
        CountDownLatch changed = nextChange;
        nextChange = new CountDownLatch(1);
        changed.countDown();
    }

    @Test
    void keepsTheLastVersionThroughAnOutageAndPicksUpTheNextOne() throws Exception {
        List<SecretVersion> seen = new CopyOnWriteArrayList<>();
        Semaphore delivered = new Semaphore(0);
        try (SecretWatcher watcher = consumer.watch("app-db", v -> {
            seen.add(v);
            delivered.release();
        })) {
            assertThat(watcher.current().version()).isEqualTo(1);
            change(() -> failWith.set(503));
            requests.drainPermits();
            assertThat(requests.tryAcquire(4, 3, TimeUnit.SECONDS)).as("four more requests during the outage").isTrue();
            assertThat(watcher.isRunning()).isTrue();
            assertThat(watcher.current().version()).isEqualTo(1);

            change(() -> {
                version.set(2);
                failWith.set(0);
            });
            assertThat(watcher.awaitVersionAfter(1, Duration.ofSeconds(2))).map(SecretVersion::version).contains(2);
            assertThat(delivered.tryAcquire(2, 3, TimeUnit.SECONDS)).as("both versions delivered").isTrue();
            assertThat(seen).extracting(SecretVersion::version).containsExactly(1, 2);
            assertThat(seen.getLast().username()).isEqualTo("app");
        }
    }

    @Test
    void aRefusalStopsTheWatcherAndReachesTheFailureHandlers() throws Exception {
        CompletableFuture<EphemeraException> early = new CompletableFuture<>();
        try (SecretWatcher watcher = consumer.watch("app-db").onFailure(early::complete)) {
            watcher.current();
            change(() -> failWith.set(401));
            assertThat(early.get(3, TimeUnit.SECONDS)).isInstanceOf(AuthenticationException.class).hasMessage("token withdrawn");
            AtomicReference<EphemeraException> late = new AtomicReference<>();
            watcher.onFailure(late::set);
            assertThat(late.get()).isSameAs(early.get());
            assertThatThrownBy(watcher::current).isSameAs(early.get());
            assertThat(watcher.toString()).isEqualTo("SecretWatcher[secretId=app-db, version=1, state=stopped (HTTP 401)]");
        }
    }

    @Test
    void anUnreachableVaultIsRetriedUntilClosed() {
        EscrowConsumer nowhere = EscrowConsumer.builder().address(URI.create("http://127.0.0.1:9"))
                .consumerToken("consumer-token-1").requestTimeout(Duration.ofMillis(300))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();
        SecretWatcher watcher = nowhere.watch("app-db");
        assertThatThrownBy(watcher::current).isInstanceOf(ServerUnavailableException.class)
                .hasMessageStartingWith("no version of secret app-db from Ephemera at http://127.0.0.1:9/ within PT0.3S");
        assertThat(watcher.isRunning()).isTrue();
        watcher.close();
        assertThat(watcher.isRunning()).isFalse();
        assertThatThrownBy(watcher::current).isInstanceOf(IllegalStateException.class).hasMessage("the watcher of secret app-db is closed");
    }

    @Test
    void backoffDoublesUpToItsCapWithJitter() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 50; i++) {
            assertThat(backoff.delay(0, random)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(backoff.delay(2, random)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(backoff.delay(1_000, random)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
    }

    @Test
    void aSecretVersionNeverShowsItsValue() {
        SecretVersion version = new SecretVersion("app-db", 3, "app", Fixtures.PASSWORD, java.time.Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(version.toString()).doesNotContain(Fixtures.PASSWORD)
                .isEqualTo("SecretVersion[id=app-db, version=3, username=app, value=***, rotatedAt=2026-11-22T12:00:00Z]");
    }

    private void current(HttpExchange exchange) throws IOException {
        CountDownLatch changed = nextChange; // taken before reading the state, so no change is missed
        requests.release();
        try (exchange) {
            if (!"Bearer consumer-token-1".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"error\":\"unauthorized\",\"message\":\"bad token\"}");
            } else if (failWith.get() != 0) {
                String message = failWith.get() == 401 ? "token withdrawn" : "vault sealed";
                send(exchange, failWith.get(), "{\"error\":\"refused\",\"message\":\"" + message + "\"}");
            } else {
                String etag = "\"v" + version.get() + "\"";
                exchange.getResponseHeaders().set("ETag", etag);
                if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    holdLongPoll(exchange, changed);
                    exchange.sendResponseHeaders(304, -1);
                } else {
                    send(exchange, 200, "{\"id\":\"app-db\",\"version\":" + version.get() + ",\"username\":\"app\",\"value\":\""
                            + Fixtures.PASSWORD + "\",\"rotated_at\":\"2026-11-22T12:00:00Z\"}");
                }
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** As the vault does: a poll for a version the client has is held until something changes or its wait is over. */
    private static void holdLongPoll(HttpExchange exchange, CountDownLatch changed) {
        Matcher wait = WAIT.matcher(String.valueOf(exchange.getRequestURI().getQuery()));
        long seconds = wait.find() ? Long.parseLong(wait.group(1)) : 0;
        try {
            changed.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
