package dev.ephemera.server.domain.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SPIFFE ID parser against the SPIFFE ID specification
 * (github.com/spiffe/spiffe, standards/SPIFFE-ID.md): the valid IDs are the examples of its
 * section 2.2; the invalid ones each break one rule of sections 2, 2.1, 2.2 or 2.3.
 */
class SpiffeIdTest {

    @ParameterizedTest
    @ValueSource(strings = {
        // SPIFFE-ID.md 2.2, "Identifying services directly", "service owners" and "Opaque SPIFFE identity".
        "spiffe://staging.example.com/payments/mysql",
        "spiffe://staging.example.com/payments/web-fe",
        "spiffe://k8s-west.example.com/ns/staging/sa/default",
        "spiffe://example.com/9eebccd2-12bf-40a6-b262-65fe0487d453",
        // 2: the path is optional; 2.1: trust domain characters; 2.2: segment characters, dots inside a segment.
        "spiffe://example.org",
        "spiffe://trust_domain-1.example/Path_With.Dots-And_Underscores/x..y/.hidden",
    })
    void validIdsOfTheSpecificationParseAndPrintBackUnchanged(String text) {
        SpiffeId id = SpiffeId.parse(text);
        assertThat(id.toString()).isEqualTo(text);
        assertThat(SpiffeId.tryParse(text)).contains(id);
    }

    @Test
    void theTrustDomainAndPathAreItsParts() {
        SpiffeId id = SpiffeId.parse("spiffe://k8s-west.example.com/ns/staging/sa/default");
        assertThat(id.trustDomain()).isEqualTo("k8s-west.example.com");
        assertThat(id.path()).isEqualTo("/ns/staging/sa/default");
        assertThat(id.namesWorkload()).isTrue();
        assertThat(id.memberOf("k8s-west.example.com")).isTrue();
        assertThat(id.memberOf("example.com")).isFalse();
        assertThat(SpiffeId.parse("spiffe://example.org").namesWorkload()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // 2: the scheme is spiffe, in lower case.
        "SPIFFE://example.org/workload",
        "Spiffe://example.org/workload",
        "https://example.org/workload",
        "spiffe:/example.org/workload",
        "example.org/workload",
        // 2: a non-empty trust domain.
        "spiffe://",
        "spiffe:///workload",
        // 2.1: lower-case letters, digits, '.', '-', '_' only; no userinfo, no port.
        "spiffe://Example.org/workload",
        "spiffe://exa mple.org/workload",
        "spiffe://example.org:8443/workload",
        "spiffe://user@example.org/workload",
        "spiffe://user:password@example.org/workload",
        "spiffe://[::1]/workload",
        "spiffe://ex%61mple.org/workload",
        // 2: no query, no fragment.
        "spiffe://example.org/workload?x=1",
        "spiffe://example.org/workload#frag",
        "spiffe://example.org?x=1",
        "spiffe://example.org#frag",
        // 2.2: no empty segment, no trailing slash, no dot segments, no other characters.
        "spiffe://example.org/",
        "spiffe://example.org/workload/",
        "spiffe://example.org//workload",
        "spiffe://example.org/./workload",
        "spiffe://example.org/ns/../admin",
        "spiffe://example.org/..",
        "spiffe://example.org/work%20load",
        "spiffe://example.org/work load",
        "spiffe://example.org/wörk",
        "spiffe://example.org/work:load",
        "spiffe://example.org/work\\load",
    })
    void idsThatBreakARuleOfTheSpecificationAreRefused(String text) {
        // The reason is given; the refused text is not repeated back.
        assertThatThrownBy(() -> SpiffeId.parse(text)).isInstanceOf(SpiffeId.Invalid.class).message().doesNotContain(text);
        assertThat(SpiffeId.tryParse(text)).isEmpty();
    }

    @Test
    void aMissingIdIsRefused() {
        assertThatThrownBy(() -> SpiffeId.parse(null)).isInstanceOf(SpiffeId.Invalid.class);
        assertThatThrownBy(() -> SpiffeId.parse("")).isInstanceOf(SpiffeId.Invalid.class);
    }

    /** SPIFFE-ID.md 2.3: at most 2048 bytes in all; a trust domain (a URI host) at most 255. */
    @Test
    void theLengthLimitsOfTheSpecificationHold() {
        String prefix = "spiffe://example.org/";
        String longest = prefix + "a".repeat(SpiffeId.MAX_LENGTH - prefix.length());
        assertThat(SpiffeId.parse(longest).toString()).hasSize(2048);
        assertThatThrownBy(() -> SpiffeId.parse(longest + "a")).isInstanceOf(SpiffeId.Invalid.class).hasMessageContaining("2048");
        assertThat(SpiffeId.parse("spiffe://" + "a".repeat(255)).trustDomain()).hasSize(255);
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + "a".repeat(256))).isInstanceOf(SpiffeId.Invalid.class)
                .hasMessageContaining("255");
    }

    @Test
    void theConstructorHoldsTheSameRules() {
        assertThat(new SpiffeId("example.org", "/a/b").toString()).isEqualTo("spiffe://example.org/a/b");
        assertThatThrownBy(() -> new SpiffeId("Example.org", "/a")).isInstanceOf(SpiffeId.Invalid.class);
        assertThatThrownBy(() -> new SpiffeId("example.org", "a")).isInstanceOf(SpiffeId.Invalid.class);
        assertThatThrownBy(() -> new SpiffeId("example.org", "/a/../b")).isInstanceOf(SpiffeId.Invalid.class);
        assertThatThrownBy(() -> SpiffeId.ofTrustDomain("")).isInstanceOf(SpiffeId.Invalid.class);
    }
}
