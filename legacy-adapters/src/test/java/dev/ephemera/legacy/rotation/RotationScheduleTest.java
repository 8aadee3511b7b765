package dev.ephemera.legacy.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RotationScheduleTest {
    private static final Instant LAST = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void theNextRotationIsAPeriodLaterPlusTheSecretsOwnOffset() {
        RotationSchedule schedule = new RotationSchedule(Duration.ofHours(24), null, null, Duration.ofHours(1));
        Duration offset = schedule.offsetOf("orders-db-app");

        assertThat(offset).isBetween(Duration.ZERO, Duration.ofHours(1));
        assertThat(schedule.offsetOf("orders-db-app")).as("stable across calls and restarts").isEqualTo(offset);
        assertThat(schedule.next("orders-db-app", LAST)).isEqualTo(LAST.plus(Duration.ofHours(24)).plus(offset));
    }

    @Test
    void aSpreadSeparatesAccountsCreatedTogether() {
        RotationSchedule schedule = new RotationSchedule(Duration.ofDays(1), null, null, Duration.ofHours(1));
        Set<Instant> slots = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            slots.add(schedule.next("account-" + i, LAST));
        }
        assertThat(slots).as("50 accounts over 3,600 one-second slots").hasSizeGreaterThan(45);
        assertThat(RotationSchedule.every(Duration.ofDays(1)).next("a", LAST)).isEqualTo(RotationSchedule.every(Duration.ofDays(1)).next("b", LAST));
    }

    @Test
    void aRotationDueOutsideTheWindowWaitsForItsOpening() {
        RotationSchedule schedule = new RotationSchedule(Duration.ofHours(24), LocalTime.of(2, 0), LocalTime.of(4, 0), Duration.ZERO);
        Instant next = schedule.next("x", LAST); // due 10:00 the next day, outside 02:00-04:00
        assertThat(next).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
        assertThat(schedule.next("x", Instant.parse("2026-11-23T02:30:00Z"))).isEqualTo(Instant.parse("2026-11-24T02:30:00Z"));
    }

    @Test
    void aWindowMayCrossMidnight() {
        RotationSchedule schedule = new RotationSchedule(Duration.ofHours(1), LocalTime.of(23, 0), LocalTime.of(1, 0), Duration.ZERO);
        assertThat(schedule.next("x", Instant.parse("2026-11-23T23:30:00Z"))).isEqualTo(Instant.parse("2026-11-24T00:30:00Z"));
        assertThat(schedule.next("x", Instant.parse("2026-11-23T10:00:00Z")).atZone(ZoneOffset.UTC).toLocalTime())
                .isEqualTo(LocalTime.of(23, 0));
    }

    @Test
    void nonsenseSchedulesAreRefused() {
        assertThatThrownBy(() -> RotationSchedule.every(Duration.ofSeconds(5))).hasMessageContaining("at least one minute");
        assertThatThrownBy(() -> new RotationSchedule(Duration.ofHours(1), LocalTime.NOON, null, null)).hasMessageContaining("window");
        assertThatThrownBy(() -> new RotationSchedule(Duration.ofHours(1), null, null, Duration.ofHours(2))).hasMessageContaining("spread");
    }

    @Test
    void theFourArgumentConstructorStillMeansAPeriod() {
        RotationSchedule schedule = new RotationSchedule(Duration.ofHours(6), null, null, null);
        assertThat(schedule.cron()).isNull();
        assertThat(schedule.next("x", LAST)).isEqualTo(LAST.plus(Duration.ofHours(6)));
    }

    @Test
    void aCronRotationIsTheExpressionsNextTimePlusTheSecretsOwnOffset() {
        RotationSchedule schedule = RotationSchedule.cron("0 3 * * *", null, null, Duration.ofHours(1));
        Duration offset = schedule.offsetOf("orders-db-app");

        assertThat(schedule.period()).isNull();
        assertThat(schedule.cron()).hasToString("0 3 * * *");
        assertThat(offset).isBetween(Duration.ZERO, Duration.ofHours(1)).isEqualTo(schedule.offsetOf("orders-db-app"));
        Instant first = schedule.next("orders-db-app", LAST);
        assertThat(first).isEqualTo(Instant.parse("2026-11-24T03:00:00Z").plus(offset));
        assertThat(schedule.next("orders-db-app", first)).as("rescheduled from the shifted rotation, no day skipped")
                .isEqualTo(Instant.parse("2026-11-25T03:00:00Z").plus(offset));
        assertThat(RotationSchedule.cron("0 3 * * *", null, null, Duration.ofHours(1)).next("orders-db-app", LAST))
                .as("stable across instances and restarts").isEqualTo(first);

        Set<Instant> slots = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            slots.add(schedule.next("account-" + i, LAST));
        }
        assertThat(slots).as("50 accounts over 3,600 one-second slots").hasSizeGreaterThan(45);
    }

    @Test
    void aCronTimeOutsideTheWindowWaitsForItsOpening() {
        RotationSchedule schedule = RotationSchedule.cron("0 * * * *", LocalTime.of(2, 0), LocalTime.of(4, 0), Duration.ZERO);
        assertThat(schedule.next("x", LAST)).as("due 11:00, outside 02:00-04:00").isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
        assertThat(schedule.next("x", Instant.parse("2026-11-24T02:00:00Z"))).isEqualTo(Instant.parse("2026-11-24T03:00:00Z"));
    }

    @Test
    void nonsenseCronSchedulesAreRefused() {
        assertThatThrownBy(() -> RotationSchedule.cron("0 0 30 2 *", null, null, null)).hasMessageContaining("never matches");
        assertThatThrownBy(() -> RotationSchedule.cron("60 * * * *", null, null, null))
                .hasMessageContaining("minute field \"60\": 60 is out of range 0-59");
        assertThatThrownBy(() -> RotationSchedule.cron("*/5 * * * *", null, null, Duration.ofMinutes(5)))
                .hasMessage("spread must be at least zero and shorter than the shortest gap between the times of day of cron"
                        + " expression \"*/5 * * * *\" (5 minutes)");
        assertThatThrownBy(() -> RotationSchedule.cron("0 3 * * MON", null, null, Duration.ofDays(1))).hasMessageContaining("(24 hours)");
        assertThatThrownBy(() -> RotationSchedule.cron("0 3 * * *", null, null, Duration.ofMinutes(-1))).hasMessageContaining("spread");
        assertThatThrownBy(() -> RotationSchedule.cron("0 3 * * *", LocalTime.NOON, LocalTime.NOON, null)).hasMessageContaining("window");
        assertThatThrownBy(() -> new RotationSchedule(Duration.ofHours(1), null, null, null, CronExpression.parse("0 3 * * *")))
                .hasMessageContaining("a rotation period or a cron expression, not both");
        assertThat(RotationSchedule.cron("0 3 * * *", null, null, Duration.ofHours(23)).spread()).isEqualTo(Duration.ofHours(23));
    }
}
