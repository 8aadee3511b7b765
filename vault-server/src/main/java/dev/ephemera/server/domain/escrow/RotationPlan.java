package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.rotation.RotationSchedule;
import java.time.Duration;
import java.time.LocalTime;

/**
 * When an escrowed secret rotates: every {@code period} or at the times of a five-field UTC
 * {@code cron} expression, inside an optional UTC window, offset within {@code spread}.
 */
public record RotationPlan(String tenant, String secretId, Duration period, String cron, LocalTime windowStart,
                           LocalTime windowEnd, Duration spread) {

    /** Validates too: an unusable plan throws {@link IllegalArgumentException} with the reason. */
    public RotationSchedule schedule() {
        if (cron != null && period != null) {
            throw new IllegalArgumentException("give a period or a cron expression, not both");
        }
        if (cron == null && period == null) {
            throw new IllegalArgumentException("give a period (e.g. 30d) or a cron expression (e.g. \"0 3 * * SUN\")");
        }
        if (cron != null) {
            return RotationSchedule.cron(cron, windowStart, windowEnd, spread);
        }
        return new RotationSchedule(period, windowStart, windowEnd, spread);
    }
}
