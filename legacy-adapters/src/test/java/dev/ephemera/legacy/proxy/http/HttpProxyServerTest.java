package dev.ephemera.legacy.proxy.http;

import static dev.ephemera.legacy.proxy.http.ProxyFixture.API_KEY;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.BASIC;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.BASIC_LEASE;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.BASIC_TOKEN;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.DOWN_TOKEN;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.KEY_LEASE;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.KEY_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpProxyServerTest {
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
    void theUpstreamSeesTheLeasedBasicCredentialAndNoneOfTheAgentsConnectionHeaders() throws Exception {
        RawAgent.Response response = fixture.raw("""
                GET /echo?q=1 HTTP/1.1
                Host: proxy.local
                Proxy-Authorization: Bearer %s
                Authorization: Bearer agent-made-this-up
                Accept-Encoding: gzip
                Connection: X-Hop
                X-Hop: per-connection
                X-Trace: t1""".formatted(BASIC_TOKEN));

        assertThat(response.status()).isEqualTo(200);
        FakeUpstream.Received seen = fixture.upstream.received.take();
        assertThat(seen.target()).isEqualTo("/api/echo?q=1");
        assertThat(seen.header("Authorization")).containsExactly(BASIC);
        assertThat(seen.header("Proxy-Authorization")).isEmpty();
        assertThat(seen.header("X-Hop")).isEmpty();
        assertThat(seen.header("Host")).containsExactly(fixture.upstream.base().getAuthority());
        assertThat(seen.header("Accept-Encoding")).containsExactly("identity");
        assertThat(seen.header("X-Trace")).containsExactly("t1");
    }

    @Test
    void theAgentsOwnApiKeyIsReplacedNotAppended() throws Exception {
        HttpResponse<byte[]> response = fixture.send(fixture.request(KEY_TOKEN, "echo")
                .header("X-API-Key", "agent-key").header("x-api-key", "another").build());

        assertThat(response.statusCode()).isEqualTo(200);
        FakeUpstream.Received seen = fixture.upstream.received.take();
        assertThat(seen.header("X-API-Key")).containsExactly(API_KEY);
        assertThat(seen.header("Proxy-Authorization")).isEmpty();
        assertThat(seen.header("Authorization")).isEmpty();
    }

    @Test
    void aMissingOrUnknownLeaseTokenIsRefusedWith407AndNothingReachesTheUpstream() throws Exception {
        for (String credentials : new String[] {"", "Proxy-Authorization: Bearer lt_unknown\n",
                "Proxy-Authorization: Basic " + BASIC_TOKEN + "\n", "Proxy-Authorization: Bearer \n"}) {
            RawAgent.Response response = fixture.raw("GET /echo HTTP/1.1\nHost: p\n" + credentials + "X-A: 1");

            assertThat(response.status()).as(credentials).isEqualTo(407);
            assertThat(response.head()).contains("Proxy-authenticate: Bearer");
            assertThat(response.text()).contains("\"error\":\"proxy_refused\"").contains("\"reason\":");
        }
        assertThat(fixture.upstream.received).isEmpty();
        assertThat(fixture.audit.refused).hasSize(4).allSatisfy(r -> assertThat(r.protocol()).isEqualTo("http"));
        assertThat(fixture.audit.opened).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection: Authorization", "Connection: keep-alive, authorization", "Connection: Host",
            "Connection: Content-Length"})
    void aConnectionHeaderThatWouldStripWhatTheProxyReliesOnIsRefused(String connection) throws Exception {
        RawAgent.Response response = fixture.raw(
                "GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN + "\n" + connection);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.text()).contains("bad_connection_header");
        assertThat(fixture.upstream.received).isEmpty();
    }

    @Test
    void anUpgradeIsRefused() throws Exception {
        RawAgent.Response response = fixture.raw("GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer "
                + BASIC_TOKEN + "\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZQ==");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.text()).contains("upgrade_refused");
        assertThat(fixture.upstream.received).isEmpty();
    }

    @Test
    void contentLengthWithTransferEncodingIsRefused() throws Exception {
        RawAgent.Response response;
        try {
            response = RawAgent.send(fixture.proxy.port(), "POST /upload HTTP/1.1\nHost: p\n"
                            + "Proxy-Authorization: Bearer " + BASIC_TOKEN + "\nContent-Length: 5\nTransfer-Encoding: chunked",
                    "0\r\n\r\nGET /echo HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } catch (java.net.SocketException reset) {
            // The JDK server answers 400 and closes with the smuggled bytes unread, so the kernel may
            // reset the connection before the answer reaches the agent: refused all the same.
            response = null;
        }

        if (response != null) {
            assertThat(response.status()).isEqualTo(400);
        }
        assertThat(fixture.upstream.received).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../admin", "/echo/../../admin", "/%2e%2e/admin", "/a/%2E%2e/echo", "/a%2fb",
            "/..;/admin", "http://evil.example/api/echo", "http://127.0.0.1:1/api/echo"})
    void targetsOutsideTheLeasedBaseAreRefused(String target) throws Exception {
        RawAgent.Response response = fixture.raw(
                "GET " + target + " HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.text()).contains("bad_path");
        assertThat(fixture.upstream.received).isEmpty();
    }

    @Test
    void oversizedRequestHeadersAreRefused() throws Exception {
        RawAgent.Response response = fixture.raw("GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer "
                + BASIC_TOKEN + "\nX-Padding: " + "a".repeat(40 * 1024));

        assertThat(response.status()).isEqualTo(431);
        assertThat(fixture.upstream.received).isEmpty();
    }

    @Test
    void aFiveMegabyteRequestBodyStreamsUpstreamWithAndWithoutALength() throws Exception {
        byte[] body = FakeUpstream.bigBody();
        String expected = FakeUpstream.sha256(body) + " " + body.length;

        HttpResponse<byte[]> fixed = fixture.send(fixture.request(BASIC_TOKEN, "upload")
                .POST(BodyPublishers.ofByteArray(body)).build());
        assertThat(new String(fixed.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(fixture.upstream.received.take().header("Content-Length")).containsExactly(String.valueOf(body.length));

        HttpResponse<byte[]> chunked = fixture.send(fixture.request(BASIC_TOKEN, "upload")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
        assertThat(new String(chunked.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(fixture.upstream.received.take().header("Transfer-Encoding")).containsExactly("chunked");
    }

    @Test
    void aFiveMegabyteChunkedResponseStreamsBack() throws Exception {
        HttpResponse<byte[]> response = fixture.send(fixture.request(KEY_TOKEN, "big").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(FakeUpstream.sha256(response.body())).isEqualTo(FakeUpstream.sha256(FakeUpstream.bigBody()));
        assertThat(fixture.audit.awaitClosed().bytesToClient()).isEqualTo(FakeUpstream.BIG);
    }

    @Test
    void everyExchangeIsAuditedWithItsLeaseAndByteCounts() throws Exception {
        byte[] body = "hello upstream".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = fixture.send(fixture.request(BASIC_TOKEN, "upload")
                .POST(BodyPublishers.ofByteArray(body)).build());

        RecordingAudit.Closed closed = fixture.audit.awaitClosed();
        assertThat(fixture.audit.opened).singleElement().satisfies(opened -> {
            assertThat(opened.connectionId()).startsWith("htc_").isEqualTo(closed.connectionId());
            assertThat(opened.protocol()).isEqualTo("http");
            assertThat(opened.lease()).isEqualTo(BASIC_LEASE);
            assertThat(opened.client()).startsWith("127.0.0.1:");
        });
        assertThat(closed.lease()).isEqualTo(BASIC_LEASE);
        assertThat(closed.bytesFromClient()).isEqualTo(body.length);
        assertThat(closed.bytesToClient()).isEqualTo(response.body().length);
        assertThat(closed.reason()).isEqualTo("200");
    }

    @Test
    void closingTheLeaseCutsOffAnInFlightResponse() throws Exception {
        try (Socket socket = RawAgent.open(fixture.proxy.port())) {
            socket.getOutputStream().write(RawAgent.request(
                    "GET /slow HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + BASIC_TOKEN));
            InputStream in = socket.getInputStream();
            RawAgent.readSome(in, "start");

            assertThat(fixture.proxy.closeLease(KEY_LEASE.leaseId())).isZero();
            assertThat(fixture.proxy.closeLease(BASIC_LEASE.leaseId())).isEqualTo(1);

            String rest = new String(readToEnd(in), StandardCharsets.ISO_8859_1);
            assertThat(rest).as("no more data and no clean end of the chunked body").doesNotContain("end")
                    .doesNotContain("0\r\n\r\n");
        }
        assertThat(fixture.audit.awaitClosed().reason()).isEqualTo("lease_closed");
    }

    @Test
    void anUpstreamThatIsDownIsA502WithAReasonAndNoSecret() throws Exception {
        RawAgent.Response response = fixture.raw("GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + DOWN_TOKEN);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.text()).contains("\"error\":\"upstream_unreachable\"").doesNotContain(API_KEY)
                .doesNotContain("Exception");
        assertThat(fixture.audit.awaitClosed().reason()).isEqualTo("502");
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeIsA504() throws Exception {
        try (ProxyFixture impatient = new ProxyFixture(Duration.ofMillis(300))) {
            RawAgent.Response response = impatient.raw(
                    "GET /hang HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN);

            assertThat(response.status()).isEqualTo(504);
            assertThat(response.text()).contains("\"error\":\"upstream_timeout\"");
        }
    }

    @Test
    void redirectsGoBackToTheAgentRatherThanBeingFollowedWithTheCredential() throws Exception {
        RawAgent.Response response = fixture.raw(
                "GET /redirect HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN);

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.head()).contains("Location: http://evil.example/collect");
        assertThat(fixture.upstream.received).hasSize(1);
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }
}
