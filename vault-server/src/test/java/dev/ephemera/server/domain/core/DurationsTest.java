package dev.ephemera.server.domain.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsSecondsAndUnits() {
        assertThat(Durations.parse("ttl", 900)).isEqualTo(Duration.ofSeconds(900));
        assertThat(Durations.parse("ttl", 900L)).isEqualTo(Duration.ofSeconds(900));
        assertThat(Durations.parse("ttl", "900")).isEqualTo(Duration.ofSeconds(900));
        assertThat(Durations.parse("ttl", "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("ttl", "15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("ttl", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("ttl", "7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("ttl", null)).isNull();
    }

    @Test
    void refusesWhatIsNotAPositiveDuration() {
        for (Object bad : new Object[] {0, -5, "0s", "-5", "soon", "1h 30m", "m", "1.5h", 1.5, true, "99999999999999h"}) {
            assertThatThrownBy(() -> Durations.parse("ttl", bad)).as(String.valueOf(bad))
                    .isInstanceOf(DomainException.class).hasMessageContaining("ttl");
        }
    }

    @Test
    void aNumberPastTheRangeOfALongIsTooLongNotWrapped() {
        // 2^64 + 60 once wrapped to a 60 s lease
        for (Object huge : new Object[] {new java.math.BigInteger("18446744073709551676"), "18446744073709551676",
                new java.math.BigDecimal("1e400"), 1e300, Long.MAX_VALUE, "9223372036854775808"}) {
            assertThatThrownBy(() -> Durations.parse("ttl", huge)).as(String.valueOf(huge))
                    .isInstanceOf(DomainException.class).hasMessage("ttl is longer than ten years");
        }
        assertThatThrownBy(() -> Durations.parse("ttl", new java.math.BigInteger("-18446744073709551676")))
                .hasMessage("ttl must be positive");
        assertThatThrownBy(() -> Durations.parse("ttl", Double.POSITIVE_INFINITY)).hasMessageContaining("number of seconds");
        assertThat(Durations.parse("ttl", new java.math.BigDecimal("60.0"))).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void refusesAbsurdlyLongDurations() {
        assertThatThrownBy(() -> Durations.parse("max_ttl", "4000d")).hasMessageContaining("ten years");
    }
}
