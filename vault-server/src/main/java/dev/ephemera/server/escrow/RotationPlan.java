package dev.ephemera.server.escrow;

import dev.ephemera.legacy.rotation.RotationSchedule;
import java.time.Duration;
import java.time.LocalTime;

/** When an escrowed secret rotates: every {@code period}, inside an optional UTC window, offset within {@code spread}. */
public record RotationPlan(String tenant, String secretId, Duration period, LocalTime windowStart, LocalTime windowEnd,
                           Duration spread) {

    public RotationSchedule schedule() {
        return new RotationSchedule(period, windowStart, windowEnd, spread);
    }
}
