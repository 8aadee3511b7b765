package dev.ephemera.legacy.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
    private static final Instant MONDAY = Instant.parse("2026-11-23T10:00:00Z"); // a Monday

    /** The next {@code count} times of {@code expression} after {@code from}, as ISO text. */
    private static List<String> times(String expression, String from, int count) {
        CronExpression cron = CronExpression.parse(expression);
        List<String> times = new ArrayList<>();
        Instant at = Instant.parse(from);
        for (int i = 0; i < count; i++) {
            at = cron.nextAfter(at);
            times.add(at.toString());
        }
        return times;
    }

    @Test
    void nextAfterIsStrictlyAfterTheInstant() {
        CronExpression everyMinute = CronExpression.parse("* * * * *");
        assertThat(everyMinute.nextAfter(MONDAY)).isEqualTo("2026-11-23T10:01:00Z");
        assertThat(everyMinute.nextAfter(Instant.parse("2026-11-23T10:00:59.999Z"))).isEqualTo("2026-11-23T10:01:00Z");
        assertThat(CronExpression.parse("0 10 * * *").nextAfter(MONDAY)).isEqualTo("2026-11-24T10:00:00Z");
    }

    @Test
    void numbersListsRangesAndSteps() {
        assertThat(times("30 4 * * *", "2026-11-23T10:00:00Z", 2)).containsExactly("2026-11-24T04:30:00Z", "2026-11-25T04:30:00Z");
        assertThat(times("0,15,45 * * * *", "2026-11-23T10:00:00Z", 4))
                .containsExactly("2026-11-23T10:15:00Z", "2026-11-23T10:45:00Z", "2026-11-23T11:00:00Z", "2026-11-23T11:15:00Z");
        assertThat(times("0 9-17 * * *", "2026-11-23T16:30:00Z", 2)).containsExactly("2026-11-23T17:00:00Z", "2026-11-24T09:00:00Z");
        assertThat(times("*/20 * * * *", "2026-11-23T10:45:00Z", 2)).containsExactly("2026-11-23T11:00:00Z", "2026-11-23T11:20:00Z");
        assertThat(times("10-30/10 * * * *", "2026-11-23T10:00:00Z", 4))
                .containsExactly("2026-11-23T10:10:00Z", "2026-11-23T10:20:00Z", "2026-11-23T10:30:00Z", "2026-11-23T11:10:00Z");
        assertThat(times("0 0 1-31/10 * *", "2026-11-23T10:00:00Z", 2)).containsExactly("2026-12-01T00:00:00Z", "2026-12-11T00:00:00Z");
        assertThat(times("5 1,2-3/2,22 * * *", "2026-11-23T10:00:00Z", 3))
                .containsExactly("2026-11-23T22:05:00Z", "2026-11-24T01:05:00Z", "2026-11-24T02:05:00Z");
    }

    @Test
    void monthAndDayNamesInAnyCase() {
        assertThat(times("0 12 * jan,Jul *", "2026-11-23T10:00:00Z", 2)).containsExactly("2027-01-01T12:00:00Z", "2027-01-02T12:00:00Z");
        assertThat(times("0 0 1 FEB-apr *", "2026-11-23T10:00:00Z", 3))
                .containsExactly("2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z");
        assertThat(times("0 9 * * mon-FRI", "2026-11-27T10:00:00Z", 1)).containsExactly("2026-11-30T09:00:00Z"); // Friday, then Monday
        assertThat(CronExpression.parse("0 0 1 JAN-MAR SUN")).isEqualTo(CronExpression.parse("0 0 1 1-3 0"));
    }

    @Test
    void timesRollOverHoursDaysMonthsAndYears() {
        assertThat(times("59 23 * * *", "2026-11-23T23:59:00Z", 1)).containsExactly("2026-11-24T23:59:00Z");
        assertThat(times("0 0 1 * *", "2026-12-15T00:00:00Z", 1)).containsExactly("2027-01-01T00:00:00Z");
        assertThat(times("0 0 31 * *", "2026-04-01T00:00:00Z", 2)).as("April and June have 30 days")
                .containsExactly("2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z");
        assertThat(times("59 23 31 12 *", "2026-12-31T23:59:00Z", 1)).containsExactly("2027-12-31T23:59:00Z");
    }

    @Test
    void aLeapDayComesEveryFourYearsButNotIn2100() {
        assertThat(times("0 0 29 2 *", "2026-03-01T00:00:00Z", 2)).containsExactly("2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z");
        assertThat(times("0 0 29 2 *", "2096-02-29T00:00:00Z", 1)).containsExactly("2104-02-29T00:00:00Z");
    }

    @Test
    void whenBothDayFieldsAreRestrictedEitherMayMatch() {
        // The 25th (a Wednesday) by day of month, then Monday the 30th by day of week.
        assertThat(times("0 0 25 * MON", "2026-11-23T10:00:00Z", 3))
                .containsExactly("2026-11-25T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z");
        assertThat(times("0 0 * * MON", "2026-11-23T10:00:00Z", 1)).as("day of month *: weekday alone").containsExactly("2026-11-30T00:00:00Z");
        assertThat(times("0 0 25 * *", "2026-11-23T10:00:00Z", 2)).as("day of week *: date alone")
                .containsExactly("2026-11-25T00:00:00Z", "2026-12-25T00:00:00Z");
        // crontab(5): a field starting with * is not restricted, so */2 and MON must both match: odd-dated Mondays.
        assertThat(times("0 0 */2 * MON", "2026-11-23T10:00:00Z", 1)).containsExactly("2026-12-07T00:00:00Z");
        assertThat(times("0 0 30 2 MON", "2026-11-23T10:00:00Z", 1)).as("no 30 February, but Mondays in February")
                .containsExactly("2027-02-01T00:00:00Z");
    }

    @Test
    void sundayIsBothZeroAndSeven() {
        CronExpression zero = CronExpression.parse("0 0 * * 0");
        assertThat(zero).isEqualTo(CronExpression.parse("0 0 * * 7")).isEqualTo(CronExpression.parse("0 0 * * sun"))
                .hasSameHashCodeAs(CronExpression.parse("0 0 * * 7"));
        assertThat(zero.nextAfter(MONDAY)).isEqualTo("2026-11-29T00:00:00Z");
        assertThat(times("0 0 * * 5-7", "2026-11-23T10:00:00Z", 4))
                .containsExactly("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "2026-12-04T00:00:00Z");
        assertThat(times("0 0 * * */7", "2026-11-23T10:00:00Z", 1)).containsExactly("2026-11-29T00:00:00Z");
    }

    @Test
    void badExpressionsAreRefusedNamingTheFieldAndWhy() {
        assertRefused("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6");
        assertRefused("hello world", "expected 5 fields (minute hour day-of-month month day-of-week), found 2");
        assertRefused("   ", "found 0");
        assertRefused(null, "invalid cron expression: none given");
        assertRefused("60 * * * *", "minute field \"60\": 60 is out of range 0-59");
        assertRefused("*/0 * * * *", "minute field \"*/0\": a step must be from 1 to 59, not 0");
        assertRefused("* 5-1 * * *", "hour field \"5-1\": range 5-1 runs backwards");
        assertRefused("x * * * *", "minute field \"x\": \"x\" is not a number");
        assertRefused("* * * * FOO", "day-of-week field \"FOO\": \"FOO\" is not a number or a name (SUN-SAT)");
        assertRefused("* * * JANUARY *", "month field \"JANUARY\": \"JANUARY\" is not a number or a name (JAN-DEC)");
        assertRefused("1,,2 * * * *", "minute field \"1,,2\": a list has an empty element");
        assertRefused("5/15 * * * *", "minute field \"5/15\": a step applies to * or a range a-b, not to the single value 5");
        assertRefused("*/x * * * *", "minute field \"*/x\": step \"x\" is not a number");
        assertRefused("* */24 * * *", "hour field \"*/24\": a step must be from 1 to 23, not 24");
        assertRefused("-5 * * * *", "minute field \"-5\": a value is missing");
        assertRefused("* * 0 * *", "day-of-month field \"0\": 0 is out of range 1-31");
        assertRefused("* * * 13 *", "month field \"13\": 13 is out of range 1-12");
        assertRefused("* * * * 8", "day-of-week field \"8\": 8 is out of range 0-7");
        assertRefused("99999999999 * * * *", "minute field \"99999999999\": 99999999999 is out of range 0-59");
        assertRefused("? * * * *", "\"?\" is not a number");
    }

    @Test
    void anExpressionThatNeverMatchesIsRefused() {
        assertRefused("0 0 30 2 *", "\"0 0 30 2 *\" never matches: no month in the month field (2) has a day in the day-of-month field (30)");
        assertRefused("0 0 31 4,6,9,11 *", "never matches");
        assertRefused("0 0 30,31 FEB */2", "never matches");
        assertThat(CronExpression.parse("0 0 31 4-5 *").nextAfter(MONDAY)).isEqualTo("2027-05-31T00:00:00Z");
    }

    @Test
    void theShortestGapBetweenTimesOfDay() {
        assertThat(CronExpression.parse("*/5 * * * *").shortestGapInADay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(CronExpression.parse("0 3 * * *").shortestGapInADay()).isEqualTo(Duration.ofHours(24));
        assertThat(CronExpression.parse("0 1,23 * * *").shortestGapInADay()).as("across midnight").isEqualTo(Duration.ofHours(2));
        assertThat(CronExpression.parse("50 9,10 1 * *").shortestGapInADay()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void printsTheExpressionWithSingleSpaces() {
        assertThat(CronExpression.parse("  0\t0  * *  7 ")).hasToString("0 0 * * 7");
    }

    private static void assertRefused(String expression, String message) {
        assertThatThrownBy(() -> CronExpression.parse(expression)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
