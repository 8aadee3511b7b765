package dev.ephemera.legacy.rotation;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A standard five-field cron expression ({@code minute hour day-of-month month day-of-week}),
 * evaluated in UTC. Fields take {@code *}, numbers, lists {@code a,b}, ranges {@code a-b} and steps
 * {@code *}{@code /n} or {@code a-b/n}; months and days may be named ({@code JAN}, {@code mon}), and
 * day-of-week 0 and 7 are both Sunday. As in Vixie cron (crontab(5)), a day field is "restricted"
 * unless its text starts with {@code *}; when both day fields are restricted, a day matches if
 * either does, otherwise it must match both.
 *
 * <p>Each field is held as a bitset, so {@link #nextAfter} skips a month, day or hour at a time.
 * Expressions that can never match (such as {@code 0 0 30 2 *}) are refused by {@link #parse}.
 */
public final class CronExpression {
    private static final int MINUTES_PER_DAY = 24 * 60;
    // The rarest match a valid expression can have is a leap day after a skipped century leap year
    // (eight years), or a day of the month on one weekday (about a dozen); this bound leaves room.
    private static final int SEARCH_YEARS = 50;

    private enum Field {
        MINUTE("minute", 0, 59, null),
        HOUR("hour", 0, 23, null),
        DAY_OF_MONTH("day-of-month", 1, 31, null),
        MONTH("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
        DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

        final String label;
        final int min;
        final int max;
        final List<String> names; // names.get(i) stands for min + i

        Field(String label, int min, int max, List<String> names) {
            this.label = label;
            this.min = min;
            this.max = max;
            this.names = names;
        }

        IllegalArgumentException error(String text, String why) {
            return new IllegalArgumentException("invalid cron expression: " + label + " field \"" + text + "\": " + why);
        }
    }

    private final String expression;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek; // bit 0 is Sunday; 7 is folded into it
    private final boolean dayOfMonthStar;
    private final boolean dayOfWeekStar;

    private CronExpression(String[] fields) {
        this.expression = String.join(" ", fields);
        this.minutes = parseField(Field.MINUTE, fields[0]);
        this.hours = parseField(Field.HOUR, fields[1]);
        this.daysOfMonth = parseField(Field.DAY_OF_MONTH, fields[2]);
        this.months = parseField(Field.MONTH, fields[3]);
        long days = parseField(Field.DAY_OF_WEEK, fields[4]);
        this.daysOfWeek = (days & ~(1L << 7)) | (days >>> 7);
        this.dayOfMonthStar = fields[2].startsWith("*");
        this.dayOfWeekStar = fields[4].startsWith("*");
        // Only a day-of-month alone can be unsatisfiable: a restricted day-of-week matches some day of
        // every month, and a day-of-month starting with * includes the 1st, which falls on every weekday.
        if (!dayOfMonthStar && dayOfWeekStar && !someMonthHasADay()) {
            throw new IllegalArgumentException("invalid cron expression: \"" + this.expression + "\" never matches: no month in"
                    + " the month field (" + fields[3] + ") has a day in the day-of-month field (" + fields[2] + ")");
        }
    }

    /** Parses {@code expression}; the exception's message names the bad field and why, for API users. */
    public static CronExpression parse(String expression) {
        if (expression == null) {
            throw new IllegalArgumentException("invalid cron expression: none given");
        }
        String[] fields = expression.strip().split("\\s+");
        int count = fields[0].isEmpty() ? 0 : fields.length;
        if (count != 5) {
            throw new IllegalArgumentException("invalid cron expression: expected 5 fields (minute hour day-of-month month"
                    + " day-of-week), found " + count);
        }
        return new CronExpression(fields);
    }

    /** The first matching minute strictly after {@code instant}. */
    public Instant nextAfter(Instant instant) {
        LocalDateTime t = LocalDateTime.ofInstant(instant, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        int lastYear = t.getYear() + SEARCH_YEARS;
        while (t.getYear() <= lastYear) {
            if (!has(months, t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            int hour = nextBit(hours, t.getHour());
            if (hour < 0) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (hour != t.getHour()) {
                t = t.withHour(hour).withMinute(0);
            }
            int minute = nextBit(minutes, t.getMinute());
            if (minute < 0) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            return t.withMinute(minute).toInstant(ZoneOffset.UTC);
        }
        // parse refuses the expressions that never match, so this only keeps the loop finite.
        throw new IllegalArgumentException("cron expression \"" + expression + "\" has no match within " + SEARCH_YEARS
                + " years after " + instant);
    }

    /**
     * The shortest time between two consecutive times of day the expression allows, counting the
     * wrap past midnight (so at most a day). Matches are never closer together than this.
     */
    Duration shortestGapInADay() {
        int first = -1;
        int previous = -1;
        int gap = MINUTES_PER_DAY;
        for (int hour = nextBit(hours, 0); hour >= 0; hour = nextBit(hours, hour + 1)) {
            for (int minute = nextBit(minutes, 0); minute >= 0; minute = nextBit(minutes, minute + 1)) {
                int time = hour * 60 + minute;
                if (previous < 0) {
                    first = time;
                } else {
                    gap = Math.min(gap, time - previous);
                }
                previous = time;
            }
        }
        return Duration.ofMinutes(Math.min(gap, first + MINUTES_PER_DAY - previous));
    }

    private boolean dayMatches(LocalDate date) {
        boolean dayOfMonth = has(daysOfMonth, date.getDayOfMonth());
        boolean dayOfWeek = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        return dayOfMonthStar || dayOfWeekStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }

    private boolean someMonthHasADay() {
        for (int month = nextBit(months, 1); month >= 0; month = nextBit(months, month + 1)) {
            long daysInMonth = (1L << (Month.of(month).maxLength() + 1)) - 2; // bits 1..maxLength, so 29 February counts
            if ((daysOfMonth & daysInMonth) != 0) {
                return true;
            }
        }
        return false;
    }

    private static long parseField(Field field, String text) {
        long bits = 0;
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw field.error(text, "a list has an empty element");
            }
            bits |= parsePart(field, text, part);
        }
        return bits;
    }

    private static long parsePart(Field field, String text, String part) {
        int slash = part.indexOf('/');
        String range = slash < 0 ? part : part.substring(0, slash);
        int step = 1;
        if (slash >= 0) {
            String stepText = part.substring(slash + 1);
            if (stepText.isEmpty() || !stepText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw field.error(text, "step \"" + stepText + "\" is not a number");
            }
            step = stepText.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
            if (step < 1 || step > field.max) {
                throw field.error(text, "a step must be from 1 to " + field.max + ", not " + stepText);
            }
        }
        int low;
        int high;
        if (range.equals("*")) {
            low = field.min;
            high = field.max;
        } else {
            int dash = range.indexOf('-');
            if (dash < 0 && slash >= 0) {
                throw field.error(text, "a step applies to * or a range a-b, not to the single value " + range);
            }
            low = value(field, text, dash < 0 ? range : range.substring(0, dash));
            high = dash < 0 ? low : value(field, text, range.substring(dash + 1));
            if (low > high) {
                throw field.error(text, "range " + range + " runs backwards; write the lower value first");
            }
        }
        long bits = 0;
        for (int value = low; value <= high; value += step) {
            bits |= 1L << value;
        }
        return bits;
    }

    private static int value(Field field, String text, String value) {
        if (value.isEmpty()) {
            throw field.error(text, "a value is missing");
        }
        if (field.names != null) {
            int index = field.names.indexOf(value.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return field.min + index;
            }
        }
        if (!value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String names = field.names == null ? "" : " or a name (" + field.names.getFirst() + "-" + field.names.getLast() + ")";
            throw field.error(text, "\"" + value + "\" is not a number" + names);
        }
        int number = value.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(value);
        if (number < field.min || number > field.max) {
            throw field.error(text, value + " is out of range " + field.min + "-" + field.max);
        }
        return number;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    /** The lowest set bit at or above {@code from}, or -1. */
    private static int nextBit(long bits, int from) {
        long rest = from > 63 ? 0 : bits & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }

    /** Equal when every field parses to the same values (so {@code 0} and {@code 7} for Sunday are equal). */
    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression that && minutes == that.minutes && hours == that.hours
                && daysOfMonth == that.daysOfMonth && months == that.months && daysOfWeek == that.daysOfWeek
                && dayOfMonthStar == that.dayOfMonthStar && dayOfWeekStar == that.dayOfWeekStar;
    }

    @Override
    public int hashCode() {
        return Objects.hash(minutes, hours, daysOfMonth, months, daysOfWeek, dayOfMonthStar, dayOfWeekStar);
    }

    /** The expression as parsed, fields separated by single spaces. */
    @Override
    public String toString() {
        return expression;
    }
}
