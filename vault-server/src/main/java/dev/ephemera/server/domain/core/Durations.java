package dev.ephemera.server.domain.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a duration the way operators write one: 900 (seconds), "900", "90s", "15m", "1h30m", "7d". */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhd])");
    private static final Duration LIMIT = Duration.ofDays(3650);

    private Durations() {
    }

    /** Null stays null (the field was omitted); anything unreadable is a 400 naming the field. */
    public static Duration parse(String field, Object value) {
        if (value == null) {
            return null;
        }
        Duration duration = switch (value) {
            case Number n -> Duration.ofSeconds(seconds(field, n));
            case String s -> parseText(field, s.strip());
            default -> throw invalid(field);
        };
        if (duration.isNegative() || duration.isZero()) {
            throw DomainException.invalid(field + " must be positive");
        }
        if (duration.compareTo(LIMIT) > 0) {
            throw tooLong(field);
        }
        return duration;
    }

    /**
     * A JSON number of seconds, compared exactly: a number past the range of a long (e.g.
     * 18446744073709551676) must be refused as too long, not wrapped into a short lease.
     */
    private static long seconds(String field, Number number) {
        BigDecimal exact;
        try {
            exact = number instanceof BigDecimal d ? d : new BigDecimal(number.toString());
        } catch (NumberFormatException notFinite) {
            throw invalid(field);
        }
        if (exact.signum() <= 0) {
            throw DomainException.invalid(field + " must be positive");
        }
        if (exact.stripTrailingZeros().scale() > 0) {
            throw invalid(field);
        }
        if (exact.compareTo(BigDecimal.valueOf(LIMIT.toSeconds())) > 0) {
            throw tooLong(field);
        }
        return exact.longValueExact();
    }

    private static DomainException tooLong(String field) {
        return DomainException.invalid(field + " is longer than ten years");
    }

    private static Duration parseText(String field, String text) {
        if (text.matches("-?\\d+")) {
            return Duration.ofSeconds(seconds(field, new BigDecimal(text)));
        }
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long amount = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = m.end();
        }
        if (end == 0 || end != text.length()) {
            throw invalid(field);
        }
        return total;
    }

    private static DomainException invalid(String field) {
        return DomainException.invalid(field + " must be a number of seconds or a duration such as \"90s\", \"15m\", \"1h30m\"");
    }
}
