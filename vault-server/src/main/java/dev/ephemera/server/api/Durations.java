package dev.ephemera.server.api;

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
            case Integer i -> Duration.ofSeconds(i);
            case Long l -> Duration.ofSeconds(l);
            case Number n when n.doubleValue() == Math.rint(n.doubleValue()) -> Duration.ofSeconds(n.longValue());
            case String s -> parseText(field, s.strip());
            default -> throw invalid(field);
        };
        if (duration.isNegative() || duration.isZero()) {
            throw ApiException.invalid(field + " must be positive");
        }
        if (duration.compareTo(LIMIT) > 0) {
            throw ApiException.invalid(field + " is longer than ten years");
        }
        return duration;
    }

    private static Duration parseText(String field, String text) {
        if (text.matches("-?\\d{1,12}")) {
            return Duration.ofSeconds(Long.parseLong(text));
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

    private static ApiException invalid(String field) {
        return ApiException.invalid(field + " must be a number of seconds or a duration such as \"90s\", \"15m\", \"1h30m\"");
    }
}
