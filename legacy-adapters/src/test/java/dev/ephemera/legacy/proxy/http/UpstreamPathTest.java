package dev.ephemera.legacy.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamPathTest {
    private static final URI BASE = URI.create("http://127.0.0.1:9000/api/");

    @Test
    void thePathAndQueryGoBeneathTheBase() throws ExchangeRefused {
        assertThat(resolve("/v1/x?q=1&r=a%20b")).isEqualTo(URI.create("http://127.0.0.1:9000/api/v1/x?q=1&r=a%20b"));
        assertThat(resolve("/")).isEqualTo(URI.create("http://127.0.0.1:9000/api/"));
        assertThat(UpstreamPath.resolve(URI.create("http://127.0.0.1:9000/api"), URI.create("/v1")))
                .isEqualTo(URI.create("http://127.0.0.1:9000/api/v1"));
        assertThat(UpstreamPath.resolve(URI.create("http://127.0.0.1:9000"), URI.create("/v1")))
                .isEqualTo(URI.create("http://127.0.0.1:9000/v1"));
    }

    @Test
    void literalDotSegmentsThatStayInsideTheBaseAreNormalised() throws ExchangeRefused {
        assertThat(resolve("/a/./b/../c")).isEqualTo(URI.create("http://127.0.0.1:9000/api/a/c"));
        assertThat(resolve("/a/b/..")).isEqualTo(URI.create("http://127.0.0.1:9000/api/a/"));
        assertThat(resolve("/files/100%25")).isEqualTo(URI.create("http://127.0.0.1:9000/api/files/100%25"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/..", "/../admin", "/a/../../admin", "/%2e%2e/admin", "/%2E%2e", "/a/%2e%2e/b", "/a/.%2e/b",
            "/a%2fb", "/a%2F..%2Fb", "/a%5cb", "/a%00b", "/%252e%252e/admin", "/..;/admin"})
    void targetsThatClimbOrHideSeparatorsAreRefused(String target) {
        assertThatThrownBy(() -> resolve(target))
                .isInstanceOfSatisfying(ExchangeRefused.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void anAbsoluteTargetMustNameTheLeasedUpstreamAndBase() throws ExchangeRefused {
        assertThat(resolve("http://127.0.0.1:9000/api/v1?q=1")).isEqualTo(URI.create("http://127.0.0.1:9000/api/v1?q=1"));
        assertThat(resolve("http://127.0.0.1:9000/api")).isEqualTo(URI.create("http://127.0.0.1:9000/api/"));
        for (String other : new String[] {"http://evil.example/api/v1", "http://127.0.0.1:9001/api/v1",
                "https://127.0.0.1:9000/api/v1", "http://user@127.0.0.1:9000/api/v1", "http://127.0.0.1:9000/v1",
                "http://127.0.0.1:9000/apix", "http://127.0.0.1:9000/api/../v1"}) {
            assertThatThrownBy(() -> resolve(other)).as(other).isInstanceOf(ExchangeRefused.class);
        }
    }

    private static URI resolve(String target) throws ExchangeRefused {
        return UpstreamPath.resolve(BASE, URI.create(target));
    }
}
