package dev.ephemera.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ephemera.client.Fixtures.WORKLOAD_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EphemeraBuilderTest {

    private static final URI ADDRESS = URI.create("http://127.0.0.1:8200");

    @Test
    void buildsWithAddressAndTokenSupplier() {
        Ephemera ephemera = Ephemera.builder().address(ADDRESS).workloadToken(() -> WORKLOAD_TOKEN).build();

        assertThat(ephemera.address()).isEqualTo(URI.create("http://127.0.0.1:8200/"));
    }

    @Test
    void missingAddressIsRefused() {
        assertThatThrownBy(() -> Ephemera.builder().workloadToken(() -> WORKLOAD_TOKEN).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("address is required: call address(URI) before build()");
    }

    @Test
    void missingTokenSupplierIsRefused() {
        assertThatThrownBy(() -> Ephemera.builder().address(ADDRESS).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("workloadToken is required: call workloadToken(Supplier) before build()");
    }

    @Test
    void nullsAreRefusedAtOnce() {
        Ephemera.Builder builder = Ephemera.builder();

        assertThatThrownBy(() -> builder.address(null)).isInstanceOf(NullPointerException.class).hasMessage("address must not be null");
        assertThatThrownBy(() -> builder.workloadToken(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("workloadToken must not be null");
        assertThatThrownBy(() -> builder.requestTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("requestTimeout must not be null");
        assertThatThrownBy(() -> builder.httpClient(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("httpClient must not be null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:8200", "/v1", "ftp://vault:21", "vault.internal"})
    void addressMustBeAbsoluteHttp(String address) {
        assertThatThrownBy(() -> Ephemera.builder().address(URI.create(address)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must be an absolute http or https URI, got " + address);
    }

    @Test
    void addressMustNameAHost() {
        assertThatThrownBy(() -> Ephemera.builder().address(URI.create("http:///v1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must name a host, got http:///v1");
    }

    @Test
    void addressMustNotHaveQueryOrFragment() {
        assertThatThrownBy(() -> Ephemera.builder().address(URI.create("http://vault:8200/?x=1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("address must not have a query or fragment");
        assertThatThrownBy(() -> Ephemera.builder().address(URI.create("http://vault:8200/#top")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("address must not have a query or fragment");
    }

    @Test
    void addressWithUserInfoIsRefused() {
        assertThatThrownBy(() -> Ephemera.builder().address(URI.create("https://u:p@vault:8200")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must not contain user info; authenticate with workloadToken");
    }

    @Test
    void addressSchemeIsCaseInsensitive() {
        Ephemera ephemera = Ephemera.builder().address(URI.create("HTTPS://vault.internal")).workloadToken(() -> "t").build();

        assertThat(ephemera.address().toString()).isEqualTo("HTTPS://vault.internal/");
    }

    @Test
    void requestTimeoutMustBePositive() {
        assertThatThrownBy(() -> Ephemera.builder().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requestTimeout must be positive, got PT0S");
        assertThatThrownBy(() -> Ephemera.builder().requestTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requestTimeout must be positive, got PT-1S");
    }

    @Test
    void tokenSupplierIsCalledForEachTaskAndTrimmed() {
        AtomicInteger calls = new AtomicInteger();
        Ephemera ephemera = Ephemera.builder().address(ADDRESS)
                .workloadToken(() -> "jwt-" + calls.incrementAndGet() + "\n")
                .build();

        assertThat(calls).hasValue(0);
        assertThat(ephemera.workloadToken()).isEqualTo("jwt-1");
        assertThat(ephemera.workloadToken()).isEqualTo("jwt-2");
    }

    @Test
    void missingOrBlankTokenFromTheSupplierIsRefused() {
        Ephemera none = Ephemera.builder().address(ADDRESS).workloadToken(() -> null).build();
        Ephemera blank = Ephemera.builder().address(ADDRESS).workloadToken(() -> " \n").build();

        assertThatThrownBy(none::workloadToken).isInstanceOf(IllegalStateException.class)
                .hasMessage("the workload token supplier returned no token");
        assertThatThrownBy(blank::workloadToken).isInstanceOf(IllegalStateException.class)
                .hasMessage("the workload token supplier returned no token");
    }

    @Test
    void startTaskValidatesBeforeAskingForAToken() {
        AtomicInteger calls = new AtomicInteger();
        Ephemera ephemera = Ephemera.builder().address(ADDRESS)
                .workloadToken(() -> { calls.incrementAndGet(); return WORKLOAD_TOKEN; })
                .build();

        assertThatThrownBy(() -> ephemera.startTask(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("objective must not be null");
        assertThatThrownBy(() -> ephemera.startTask("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objective must not be blank");
        assertThatThrownBy(() -> ephemera.startTask("count", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("ttl must not be null");
        assertThatThrownBy(() -> ephemera.startTask("count", Duration.ofMillis(900_500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be a whole number of seconds (at least 1), got PT15M0.5S");
        assertThat(calls).hasValue(0);
    }
}
