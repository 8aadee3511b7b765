package dev.ephemera.legacy.proxy.http;

import static dev.ephemera.legacy.proxy.http.ProxyFixture.API_KEY;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.BASIC_LEASE;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.BASIC_TOKEN;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.DOWN_TOKEN;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.KEY_TOKEN;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.SECRETS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whatever the upstream sends back, no form of the secret (nor the lease token) reaches the agent or the logs. */
class HttpProxyRedactionTest {
    private ProxyFixture fixture;

    @BeforeEach
    void start() throws IOException {
        fixture = new ProxyFixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void anUpstreamEchoingTheBasicCredentialShowsTheAgentOnlyTheMark() throws Exception {
        RawAgent.Response response = fixture.raw("GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.head()).containsIgnoringCase("X-echo-authorization: [redacted]");
        assertThat(response.text()).contains("Authorization: [redacted]");
        assertNoSecretIn(response.wireText());
    }

    @Test
    void anUpstreamEchoingTheApiKeyShowsTheAgentOnlyTheMark() throws Exception {
        HttpResponse<String> response = fixture.agent.send(fixture.request(KEY_TOKEN, "echo").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().allValues("X-Echo-X-api-key")).containsExactly("[redacted]");
        assertThat(response.body()).contains("X-api-key: [redacted]");
        assertNoSecretIn(response.body() + response.headers().map());
    }

    @Test
    void aSecretSplitAcrossTheUpstreamsWritesIsStillRedacted() throws Exception {
        RawAgent.Response response;
        try (Socket socket = RawAgent.open(fixture.proxy.port())) {
            socket.getOutputStream().write(RawAgent.request("GET /split HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN));
            InputStream in = socket.getInputStream();
            // The proxy passed on what precedes the first half before the second half was written.
            byte[] first = RawAgent.readSome(in, "credential=");
            fixture.upstream.secondHalf.countDown();
            response = RawAgent.parse(concat(first, in.readAllBytes()));
        }

        assertThat(response.text()).isEqualTo("credential=[redacted]\n");
        assertNoSecretIn(response.wireText());
    }

    @Test
    void aFixedLengthAnswerWhoseLengthRedactionChangesGoesOutChunked() throws Exception {
        RawAgent.Response response = fixture.raw("GET /fixed HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN);

        assertThat(response.head()).containsIgnoringCase("Transfer-encoding: chunked").doesNotContainIgnoringCase("Content-length");
        assertThat(response.text()).isEqualTo("credential=[redacted]");
        assertThat(fixture.audit.awaitClosed().bytesToClient()).isEqualTo("credential=[redacted]".length());
    }

    @Test
    void aCompressedAnswerIsRefusedRatherThanPassedOnUnscanned() throws Exception {
        RawAgent.Response response = fixture.raw("GET /gzip HTTP/1.1\nHost: p\nProxy-Authorization: Bearer "
                + KEY_TOKEN + "\nAccept-Encoding: gzip");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.text()).contains("\"error\":\"upstream_encoding\"");
        assertThat(response.head()).doesNotContainIgnoringCase("Content-Encoding");
        assertThat(fixture.upstream.received.take().header("Accept-Encoding")).containsExactly("identity");
    }

    @Test
    void nothingTheProxyLogsCarriesATokenOrASecret() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.ephemera.legacy.proxy");
        Level level = logger.getLevel();
        List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
        Semaphore exchangesEnded = new Semaphore(0);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                events.add(event);
                if (event.getFormattedMessage().contains(" -> ")) {
                    exchangesEnded.release(); // an exchange's last line, written after its audit record
                }
            }
        };
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.TRACE);
        try {
            for (String exchange : new String[] {"GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN,
                    "GET /gzip HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN,
                    "GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + DOWN_TOKEN,
                    "GET /../x HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN,
                    "GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + API_KEY}) {
                fixture.raw(exchange);
            }
            cutOffASlowResponse();
            fixture.audit.awaitClosed();
            // Every exchange the proxy carried has written its last line, the cut-off one included.
            assertThat(exchangesEnded.tryAcquire(fixture.audit.opened.size(), 5, TimeUnit.SECONDS))
                    .as("every carried exchange logged its end").isTrue();
            assertThat(events).extracting(ILoggingEvent::getFormattedMessage).anyMatch(line -> line.endsWith("-> lease_closed"));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }

        assertThat(events).as("the proxy logs its exchanges at debug").isNotEmpty();
        for (ILoggingEvent event : events) {
            String throwable = event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy());
            assertNoSecretIn(event.getFormattedMessage() + throwable);
        }
    }

    private void cutOffASlowResponse() throws IOException {
        try (Socket socket = RawAgent.open(fixture.proxy.port())) {
            socket.getOutputStream().write(RawAgent.request(
                    "GET /slow HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN));
            InputStream in = socket.getInputStream();
            RawAgent.readSome(in, "start");
            fixture.proxy.closeLease(BASIC_LEASE.leaseId());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void assertNoSecretIn(String text) {
        for (String secret : SECRETS) {
            assertThat(text).doesNotContain(secret);
        }
    }
}
