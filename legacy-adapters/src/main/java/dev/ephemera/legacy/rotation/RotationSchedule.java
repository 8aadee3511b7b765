package dev.ephemera.legacy.rotation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.zip.CRC32;

/**
 * When an escrowed secret rotates: every {@code period}, or at the times of a UTC {@code cron}
 * expression (then {@code period} is null); optionally only inside a daily UTC window
 * ({@code windowStart} to {@code windowEnd}); shifted by an offset within {@code spread} that is
 * derived from the secret's id — so accounts created together do not all rotate at the same
 * instant, and each keeps its own stable slot.
 *
 * <p>With a cron expression the spread must be shorter than the shortest gap between the times of
 * day the expression allows (at most 24 hours): a shifted rotation then still comes before the
 * expression's next time, so no time is skipped. For daily or denser expressions this is exactly
 * the gap between matches; for sparser ones (weekly, monthly) it is stricter than needed, which
 * keeps the rule simple to state.
 */
public record RotationSchedule(Duration period, LocalTime windowStart, LocalTime windowEnd, Duration spread, CronExpression cron) {

    public RotationSchedule {
        if (cron != null && period != null) {
            throw new IllegalArgumentException("a schedule has a rotation period or a cron expression, not both");
        }
        if (cron == null && (period == null || period.compareTo(Duration.ofMinutes(1)) < 0)) {
            throw new IllegalArgumentException("a rotation period is at least one minute");
        }
        if ((windowStart == null) != (windowEnd == null) || (windowStart != null && windowStart.equals(windowEnd))) {
            throw new IllegalArgumentException("a window needs a start and a different end (UTC), or neither");
        }
        spread = spread == null ? Duration.ZERO : spread;
        if (cron == null && (spread.isNegative() || spread.compareTo(period) >= 0)) {
            throw new IllegalArgumentException("spread must be at least zero and shorter than the period");
        }
        if (cron != null && (spread.isNegative() || spread.compareTo(cron.shortestGapInADay()) >= 0)) {
            throw new IllegalArgumentException("spread must be at least zero and shorter than the shortest gap between the"
                    + " times of day of cron expression \"" + cron + "\" (" + minutes(cron.shortestGapInADay()) + ")");
        }
    }

    /** A schedule by period, as before cron expressions existed. */
    public RotationSchedule(Duration period, LocalTime windowStart, LocalTime windowEnd, Duration spread) {
        this(period, windowStart, windowEnd, spread, null);
    }

    /** A schedule at the times of a cron expression (UTC); a bad expression is refused with a message naming the field. */
    public static RotationSchedule cron(String expression, LocalTime windowStart, LocalTime windowEnd, Duration spread) {
        return new RotationSchedule(null, windowStart, windowEnd, spread, CronExpression.parse(expression));
    }

    public static RotationSchedule every(Duration period) {
        return new RotationSchedule(period, null, null, Duration.ZERO);
    }

    /** The least time between two rotations: the period, or the shortest gap between the cron expression's times. */
    public Duration shortestGap() {
        return cron == null ? period : cron.shortestGapInADay();
    }

    /** The secret's own offset within the spread, stable across restarts. */
    public Duration offsetOf(String secretId) {
        if (spread.isZero()) {
            return Duration.ZERO;
        }
        CRC32 crc = new CRC32();
        crc.update(secretId.getBytes(StandardCharsets.UTF_8));
        return Duration.ofSeconds(crc.getValue() % Math.max(1, spread.toSeconds()));
    }

    /**
     * The first instant at or after the due time that is inside the window; due is
     * {@code lastRotation + period + offset}, or with cron the expression's next time strictly after
     * {@code lastRotation}, plus the offset.
     */
    public Instant next(String secretId, Instant lastRotation) {
        Instant base = cron == null ? lastRotation.plus(period) : cron.nextAfter(lastRotation);
        Instant due = base.plus(offsetOf(secretId));
        return windowStart == null ? due : intoWindow(due, offsetOf(secretId));
    }

    private Instant intoWindow(Instant due, Duration offset) {
        ZonedDateTime at = due.atZone(ZoneOffset.UTC);
        if (inWindow(at.toLocalTime())) {
            return due;
        }
        ZonedDateTime opening = at.toLocalDate().atTime(windowStart).atZone(ZoneOffset.UTC);
        if (!opening.isAfter(at)) {
            opening = opening.plusDays(1);
        }
        Duration open = windowLength();
        // Spread the opening rush across the window too.
        Duration shift = open.isZero() ? Duration.ZERO : Duration.ofSeconds(offset.toSeconds() % Math.max(1, open.toSeconds()));
        return opening.toInstant().plus(shift);
    }

    private boolean inWindow(LocalTime time) {
        return windowStart.isBefore(windowEnd)
                ? !time.isBefore(windowStart) && time.isBefore(windowEnd)
                : !time.isBefore(windowStart) || time.isBefore(windowEnd); // a window across midnight
    }

    private Duration windowLength() {
        Duration length = Duration.between(windowStart, windowEnd);
        return length.isNegative() ? length.plusDays(1) : length;
    }

    /** "5 minutes", "1 hour", "24 hours": a gap as a user reads it. */
    private static String minutes(Duration gap) {
        long minutes = gap.toMinutes();
        if (minutes % 60 == 0) {
            return minutes / 60 + (minutes == 60 ? " hour" : " hours");
        }
        return minutes + (minutes == 1 ? " minute" : " minutes");
    }
}
