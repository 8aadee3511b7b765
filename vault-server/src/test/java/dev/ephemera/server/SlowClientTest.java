package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.IsolatedHttpProxy;
import dev.ephemera.server.support.SlowClient;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client sending its request head a byte at a time is cut off once the head's time is up, on the
 * API and on the HTTP proxy; well-behaved clients, kept-alive connections included, are unaffected.
 */
class SlowClientTest {
    private static final String HEAD = "GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres(Map.of("ephemera.server.header-read-timeout", "2s"));
    static TestVault vault;

    @Test
    void theApiClosesAConnectionWhoseRequestHeadArrivesAByteAtATime() throws Exception {
        Duration held = SlowClient.timeUntilCut(vault.address().getPort(), HEAD, Duration.ofMillis(200), Duration.ofSeconds(15));

        assertThat(held).as("cut by the 2 s head bound, not by an idle timeout").isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(5));
        assertThat(vault.call("GET", "/v1/sys/health", null, null).status()).isEqualTo(200);
    }

    @Test
    void theHttpProxyClosesAConnectionWhoseRequestHeadArrivesAByteAtATime() throws Exception {
        try (IsolatedHttpProxy proxy = IsolatedHttpProxy.start(Duration.ofSeconds(2))) {
            Duration held = SlowClient.timeUntilCut(proxy.port(), HEAD, Duration.ofMillis(200), Duration.ofSeconds(15));

            assertThat(held).as("cut by the 2 s request bound").isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(5));
        }
    }

    @Test
    void requestsOnAKeptAliveConnectionAreServed() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI health = vault.address().resolve("/v1/sys/health");
        for (int i = 0; i < 20; i++) {
            assertThat(client.send(HttpRequest.newBuilder(health).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
