package dev.ephemera.legacy.rotation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.zip.CRC32;

/**
 * When an escrowed secret rotates: every {@code period}, optionally only inside a daily UTC window
 * ({@code windowStart} to {@code windowEnd}), shifted by an offset within {@code spread} that is
 * derived from the secret's id — so accounts created together do not all rotate at the same
 * instant, and each keeps its own stable slot.
 */
public record RotationSchedule(Duration period, LocalTime windowStart, LocalTime windowEnd, Duration spread) {

    public RotationSchedule {
        if (period == null || period.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("a rotation period is at least one minute");
        }
        if ((windowStart == null) != (windowEnd == null) || (windowStart != null && windowStart.equals(windowEnd))) {
            throw new IllegalArgumentException("a window needs a start and a different end (UTC), or neither");
        }
        spread = spread == null ? Duration.ZERO : spread;
        if (spread.isNegative() || spread.compareTo(period) >= 0) {
            throw new IllegalArgumentException("spread must be at least zero and shorter than the period");
        }
    }

    public static RotationSchedule every(Duration period) {
        return new RotationSchedule(period, null, null, Duration.ZERO);
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

    /** The first instant at or after {@code lastRotation + period + offset} that is inside the window. */
    public Instant next(String secretId, Instant lastRotation) {
        Instant due = lastRotation.plus(period).plus(offsetOf(secretId));
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
}
