package dev.ephemera.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgsTest {

    @Test
    void durationsBecomeWholeSeconds() {
        assertThat(Args.seconds(Duration.ofSeconds(1), "ttl")).isEqualTo(1);
        assertThat(Args.seconds(Duration.ofMinutes(15), "ttl")).isEqualTo(900);
        assertThat(Args.seconds(Duration.ofMillis(300_000), "ttl")).isEqualTo(300);
        assertThat(Args.seconds(Duration.ofDays(2), "ttl")).isEqualTo(172_800);
    }

    @Test
    void subSecondDurationsAreRefused() {
        assertThatThrownBy(() -> Args.seconds(Duration.ofMillis(500), "ttl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be a whole number of seconds (at least 1), got PT0.5S");
        assertThatThrownBy(() -> Args.seconds(Duration.ofMillis(1500), "increment"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("increment must be a whole number of seconds (at least 1), got PT1.5S");
        assertThatThrownBy(() -> Args.seconds(Duration.ofNanos(1), "ttl"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonPositiveDurationsAreRefused() {
        assertThatThrownBy(() -> Args.seconds(Duration.ZERO, "ttl"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive, got PT0S");
        assertThatThrownBy(() -> Args.seconds(Duration.ofSeconds(-5), "ttl"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive, got PT-5S");
        assertThatThrownBy(() -> Args.seconds(null, "ttl"))
                .isInstanceOf(NullPointerException.class).hasMessage("ttl must not be null");
    }

    @Test
    void textMustBePresentAndNotBlank() {
        assertThat(Args.requireText("demo", "backend")).isEqualTo("demo");
        assertThatThrownBy(() -> Args.requireText(null, "backend"))
                .isInstanceOf(NullPointerException.class).hasMessage("backend must not be null");
        assertThatThrownBy(() -> Args.requireText(" \t", "role"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("role must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "eyJ.eyJ.sig", "a-b_c~d+e/f=", "!#$%&'*"})
    void acceptsVisibleAsciiTokens(String token) {
        assertThat(Args.isBearerToken(token)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a\nb", "a\rb", "a\tb", "tök", "a\u0000b"})
    void refusesTokensThatCannotGoInAHeader(String token) {
        assertThat(Args.isBearerToken(token)).isFalse();
    }

    @Test
    void nullIsNotAToken() {
        assertThat(Args.isBearerToken(null)).isFalse();
    }

    @Test
    void pathSegmentsStayOneSegment() {
        assertThat(Args.pathSegment("lease_01H.x-y~z", "leaseId")).isEqualTo("lease_01H.x-y~z");
        assertThat(Args.pathSegment("../tasks/self", "leaseId")).isEqualTo("..%2Ftasks%2Fself");
        assertThat(Args.pathSegment("a b?c#d%", "leaseId")).isEqualTo("a%20b%3Fc%23d%25");
        assertThat(Args.pathSegment("é", "leaseId")).isEqualTo("%C3%A9");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", ".."})
    void dotSegmentsAreRefused(String id) {
        assertThatThrownBy(() -> Args.pathSegment(id, "leaseId"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseId must not be a dot segment, got " + id);
    }
}
