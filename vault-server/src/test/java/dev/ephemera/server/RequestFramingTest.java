package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests a proxy in front of the vault could frame differently from the vault (request smuggling)
 * are refused with 400 and the connection closed, so nothing pipelined after them is processed
 * (issue 11, item 7). Raw sockets: an HTTP client library would not send these.
 */
class RequestFramingTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestVault vault;

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndWhatFollowsIsNotProcessed() throws IOException {
        String exchange = send("POST /v1/tasks HTTP/1.1\r\nHost: vault\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\n");
        assertThat(statuses(exchange)).containsExactly("400");
        assertThat(exchange).contains("both Content-Length and Transfer-Encoding");
    }

    @Test
    void aTransferEncodingOtherThanChunkedIsRefused() throws IOException {
        String exchange = send("POST /v1/tasks HTTP/1.1\r\nHost: vault\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
                + "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\n");
        assertThat(statuses(exchange)).containsExactly("400");
    }

    @Test
    void aRepeatedContentLengthIsRefused() throws IOException {
        String exchange = send("POST /v1/tasks HTTP/1.1\r\nHost: vault\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
                + "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\n");
        assertThat(statuses(exchange)).containsExactly("400");
    }

    @Test
    void anObsFoldedHeaderIsRefused() throws IOException {
        String exchange = send("GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\nX-Folded: one\r\n two\r\n\r\n"
                + "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\n");
        assertThat(statuses(exchange)).containsExactly("400");
        assertThat(exchange).contains("obs-fold");
    }

    @Test
    void wellFramedPipelinedRequestsAreAllAnsweredInOrder() throws IOException {
        String exchange = send("GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\n"
                + "POST /v1/tasks HTTP/1.1\r\nHost: vault\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                + "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n");
        // health, an unauthenticated task start (401: framed and read), health again
        assertThat(statuses(exchange)).as(exchange).containsExactly("200", "401", "200");
    }

    private static java.util.List<String> statuses(String exchange) {
        Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(exchange);
        java.util.List<String> statuses = new java.util.ArrayList<>();
        while (m.find()) {
            statuses.add(m.group(1));
        }
        return statuses;
    }

    /** Sends the bytes at once and reads until the server closes the connection. */
    private static String send(String raw) throws IOException {
        try (Socket socket = new Socket(vault.address().getHost(), vault.address().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                all.write("<no close>".getBytes(StandardCharsets.US_ASCII));
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
