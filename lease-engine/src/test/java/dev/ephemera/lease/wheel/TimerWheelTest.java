package dev.ephemera.lease.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimerWheelTest {

    private static final long T0 = 1_700_000_000_123L; // deliberately not aligned to any level
    private static final long TEN_YEARS = 10L * 365 * 24 * 3600 * 1000;

    /** The label each test gave a timer when it scheduled it, by handle. */
    private static final Map<Long, Long> LABELS = new HashMap<>();

    @BeforeEach
    void forgetLabels() {
        LABELS.clear();
    }

    private static long schedule(TimerWheel wheel, long deadline, long label) {
        long handle = wheel.schedule(deadline);
        LABELS.put(handle, label);
        return handle;
    }

    private static long label(long handle) {
        return LABELS.get(handle);
    }

    /** Records (label, deadline) pairs in firing order. */
    private static final class Recorder implements TimerWheel.ExpiryHandler {
        final List<long[]> fired = new ArrayList<>();

        @Override
        public void onExpiry(long handle, long deadlineMillis) {
            fired.add(new long[] {label(handle), deadlineMillis});
        }

        List<Long> payloads() {
            return fired.stream().map(f -> f[0]).toList();
        }
    }

    @Test
    void firesExactlyAtTheDeadlineAndNotBefore() {
        TimerWheel wheel = new TimerWheel(T0, 16);
        Recorder rec = new Recorder();
        long handle = schedule(wheel, T0 + 1000, 42);

        assertThat(wheel.advance(T0 + 999, 10, rec)).isZero();
        assertThat(wheel.isPending(handle)).isTrue();
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0 + 999);

        assertThat(wheel.advance(T0 + 1000, 10, rec)).isEqualTo(1);
        assertThat(rec.fired).containsExactly(new long[] {42, T0 + 1000});
        assertThat(wheel.isPending(handle)).isFalse();
        assertThat(wheel.size()).isZero();
    }

    /** Delays straddling every level boundary, reached by stepping right up to the deadline. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 63, 64, 65, 4095, 4096, 4097, 262_143, 262_144, 262_145, 16_777_216,
            16_777_217, 1L << 30, (1L << 30) + 1, 1L << 36, (1L << 36) - 1, TEN_YEARS, 1L << 42, 1L << 48})
    void everyLevelFiresOnItsExactMillisecond(long delay) {
        for (long start : new long[] {0, T0, -T0, (1L << 36) - 1}) {
            TimerWheel wheel = new TimerWheel(start, 4);
            Recorder rec = new Recorder();
            long deadline = start + delay;
            schedule(wheel, deadline, 7);
            // Approach the deadline in shrinking steps so every level's bucket gets opened on the way.
            for (long gap = Long.highestOneBit(delay); gap > 0; gap >>= 3) {
                assertThat(wheel.advance(deadline - gap, Integer.MAX_VALUE, rec)).isZero();
                assertThat(wheel.nextDeadlineLowerBound()).isLessThanOrEqualTo(deadline);
            }
            assertThat(wheel.advance(deadline - 1, Integer.MAX_VALUE, rec)).isZero();
            assertThat(wheel.advance(deadline, Integer.MAX_VALUE, rec)).isEqualTo(1);
            assertThat(rec.fired).containsExactly(new long[] {7, deadline});
        }
    }

    @Test
    void oneBigJumpFiresEverythingDueAndNothingElse() {
        TimerWheel wheel = new TimerWheel(T0, 0);
        Recorder rec = new Recorder();
        long[] delays = {1, 64, 65, 4096, 86_400_000, TEN_YEARS, TEN_YEARS + 1};
        for (int i = 0; i < delays.length; i++) {
            schedule(wheel, T0 + delays[i], i);
        }
        assertThat(wheel.advance(T0 + TEN_YEARS, Integer.MAX_VALUE, rec)).isEqualTo(6);
        assertThat(rec.payloads()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(T0 + TEN_YEARS + 1);
        assertThat(wheel.advance(T0 + TEN_YEARS + 1, 1, rec)).isEqualTo(1);
    }

    @Test
    void pastAndPresentDeadlinesFireOnTheNextAdvanceEvenWithoutTimePassing() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        Recorder rec = new Recorder();
        schedule(wheel, T0 - 5, 1);
        schedule(wheel, T0, 2);
        schedule(wheel, Long.MIN_VALUE, 3);
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(Long.MIN_VALUE);

        assertThat(wheel.advance(T0, 10, rec)).isEqualTo(3);
        // Timers overdue when scheduled fire first, in no particular order, then the present one.
        assertThat(rec.payloads()).containsExactlyInAnyOrder(1L, 2L, 3L).endsWith(2L);

        // And with a "now" in the past, which counts as the current time.
        schedule(wheel, T0 - 1, 4);
        assertThat(wheel.advance(0, 10, rec)).isEqualTo(1);
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0);
    }

    @Test
    void rescheduleIntoThePastFiresOnTheNextAdvance() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        Recorder rec = new Recorder();
        long handle = schedule(wheel, T0 + 86_400_000, 9);
        assertThat(wheel.reschedule(handle, T0 - 1)).isTrue();
        assertThat(wheel.deadlineOf(handle)).isEqualTo(T0 - 1);
        assertThat(wheel.advance(T0, 10, rec)).isEqualTo(1);
        assertThat(rec.fired).containsExactly(new long[] {9, T0 - 1});
    }

    @Test
    void limitSpreadsABurstOverSeveralAdvancesWithNoneLostOrDuplicated() {
        TimerWheel wheel = new TimerWheel(T0, 1024);
        SplittableRandom random = new SplittableRandom(1);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            // Half on one millisecond, half spread over 1 s, some already in the past.
            long deadline = i % 2 == 0 ? T0 + 500 : T0 - 100 + random.nextLong(1100);
            schedule(wheel, deadline, i);
        }
        BitSet seen = new BitSet(n);
        int[] duplicates = {0};
        long[] latestNow = {0};
        TimerWheel.ExpiryHandler handler = (handle, deadline) -> {
            long payload = label(handle);
            assertThat(deadline).isLessThanOrEqualTo(latestNow[0]);
            if (seen.get((int) payload)) {
                duplicates[0]++;
            }
            seen.set((int) payload);
        };
        int limit = 7_000;
        int calls = 0;
        int fired;
        latestNow[0] = T0 + 1000;
        do {
            fired = wheel.advance(T0 + 1000, limit, handler);
            assertThat(fired).isLessThanOrEqualTo(limit);
            assertThat(++calls).isLessThanOrEqualTo(n / limit + 1);
        } while (fired == limit);
        assertThat(calls).isEqualTo(n / limit + 1);
        assertThat(duplicates[0]).isZero();
        assertThat(seen.cardinality()).isEqualTo(n);
        assertThat(wheel.size()).isZero();
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0 + 1000);
    }

    @Test
    void aLimitStopLeavesTheRestForLaterCallsEvenWithAnEarlierNow() {
        TimerWheel wheel = new TimerWheel(0, 4);
        Recorder rec = new Recorder();
        for (int i = 0; i < 10; i++) {
            schedule(wheel, 100 + i, i);
        }
        assertThat(wheel.advance(1000, 3, rec)).isEqualTo(3);
        assertThat(wheel.currentTimeMillis()).isBetween(100L, 1000L);
        assertThat(wheel.nextDeadlineLowerBound()).isLessThanOrEqualTo(103);
        // An earlier now still delivers what was already due at the wheel's current time, and more
        // once the later calls catch up.
        int total = 3;
        int fired;
        do {
            fired = wheel.advance(1000, 3, rec);
            total += fired;
            assertThat(total).isLessThanOrEqualTo(10);
        } while (fired == 3);
        assertThat(total).isEqualTo(10);
        assertThat(rec.payloads()).doesNotHaveDuplicates().hasSize(10);
        for (long[] f : rec.fired) {
            assertThat(f[1]).isEqualTo(100 + f[0]);
        }
    }

    @Test
    void zeroOrNegativeLimitDoesNothing() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        Recorder rec = new Recorder();
        schedule(wheel, T0 - 1, 1);
        assertThat(wheel.advance(T0 + 10, 0, rec)).isZero();
        assertThat(wheel.advance(T0 + 10, -5, rec)).isZero();
        assertThat(rec.fired).isEmpty();
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0);
        assertThat(wheel.size()).isEqualTo(1);
    }

    @Test
    void growsBeyondInitialCapacityKeepingEveryTimer() {
        TimerWheel wheel = new TimerWheel(T0, 3);
        int n = 20_000;
        long[] handles = new long[n];
        for (int i = 0; i < n; i++) {
            handles[i] = schedule(wheel, T0 + 1 + (i * 7919L) % 100_000, -i);
        }
        assertThat(wheel.size()).isEqualTo(n);
        assertThat(wheel.capacity()).isGreaterThanOrEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(wheel.isPending(handles[i])).isTrue();
            assertThat(label(handles[i])).isEqualTo(-i);
            assertThat(wheel.deadlineOf(handles[i])).isEqualTo(T0 + 1 + (i * 7919L) % 100_000);
        }
        Recorder rec = new Recorder();
        assertThat(wheel.advance(T0 + 100_000, Integer.MAX_VALUE, rec)).isEqualTo(n);
        for (long[] f : rec.fired) {
            assertThat(f[1]).isEqualTo(T0 + 1 + (-f[0] * 7919L) % 100_000);
        }
    }

    @Test
    void zeroInitialCapacityWorksAndNegativeIsRejected() {
        TimerWheel wheel = new TimerWheel(0, 0);
        long handle = schedule(wheel, 5, 5);
        assertThat(wheel.isPending(handle)).isTrue();
        assertThatThrownBy(() -> new TimerWheel(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cascadesAcrossLevelBoundariesWithUnalignedTime() {
        // Time sits just below a 64^3 boundary; deadlines just above it differ from time in a
        // high digit although they are only milliseconds away.
        long start = (5L << 18) - 3;
        TimerWheel wheel = new TimerWheel(start, 4);
        Recorder rec = new Recorder();
        for (int d = 1; d <= 200; d++) {
            schedule(wheel, start + d, d);
        }
        for (int d = 1; d <= 200; d++) {
            assertThat(wheel.advance(start + d, Integer.MAX_VALUE, rec)).as("delay %d", d).isEqualTo(1);
            assertThat(rec.fired.getLast()).containsExactly(d, start + d);
        }
    }

    @Test
    void cascadingIsLazyCancelledAndRescheduledTimersNeverMove() {
        TimerWheel wheel = new TimerWheel(T0, 16);
        Recorder rec = new Recorder();
        long day = 86_400_000;
        long cancelled = schedule(wheel, T0 + day, 1);
        long renewed = schedule(wheel, T0 + day, 2);
        long kept = schedule(wheel, T0 + day, 3);
        assertThat(wheel.cancel(cancelled)).isTrue();
        assertThat(wheel.reschedule(renewed, T0 + 10 * day)).isTrue();

        assertThat(wheel.advance(T0 + day, Integer.MAX_VALUE, rec)).isEqualTo(1);
        assertThat(rec.payloads()).containsExactly(3L);
        // Only `kept` was ever re-filed, once per level on its way down.
        assertThat(wheel.cascadedTimers()).isBetween(1L, (long) TimerWheel.LEVELS);
    }

    @Test
    void crossingADayWithFewTimersOpensFewBuckets() {
        TimerWheel wheel = new TimerWheel(T0, 16);
        Recorder rec = new Recorder();
        long day = 86_400_000;
        schedule(wheel, T0 + 1_000, 1);
        schedule(wheel, T0 + day / 2, 2);
        schedule(wheel, T0 + day, 3);
        assertThat(wheel.advance(T0 + day, Integer.MAX_VALUE, rec)).isEqualTo(3);
        assertThat(wheel.bucketsOpened()).isLessThanOrEqualTo(3L * TimerWheel.LEVELS);

        // Stepping a millisecond at a time over an empty stretch opens nothing at all.
        long opened = wheel.bucketsOpened();
        for (long now = T0 + day; now < T0 + day + 10_000; now++) {
            wheel.advance(now, 100, rec);
        }
        assertThat(wheel.bucketsOpened()).isEqualTo(opened);
    }

    @Test
    void timeNeverGoesBackwards() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        Recorder rec = new Recorder();
        wheel.advance(T0 + 100, 10, rec);
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0 + 100);
        assertThat(wheel.advance(T0 + 50, 10, rec)).isZero();
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0 + 100);

        // A deadline between the earlier "now" and the current time is already due.
        schedule(wheel, T0 + 80, 1);
        assertThat(wheel.advance(T0 + 50, 10, rec)).isEqualTo(1);
        assertThat(wheel.currentTimeMillis()).isEqualTo(T0 + 100);
        // And one after the current time is not, whatever "now" says.
        schedule(wheel, T0 + 101, 2);
        assertThat(wheel.advance(T0 + 50, 10, rec)).isZero();
        assertThat(wheel.advance(T0 + 101, 10, rec)).isEqualTo(1);
    }

    @Test
    void handlesCarryAGenerationSoAReusedSlotNeverMatchesAnOldHandle() {
        TimerWheel wheel = new TimerWheel(T0, 1);
        Recorder rec = new Recorder();
        long first = schedule(wheel, T0 + 10, 1);
        assertThat(first).isPositive();
        assertThat(wheel.cancel(first)).isTrue();
        assertThat(wheel.cancel(first)).isFalse();

        long second = schedule(wheel, T0 + 20, 2);
        assertThat((int) second).as("slot reused").isEqualTo((int) first);
        assertThat(second).isNotEqualTo(first).isPositive();

        assertThat(wheel.isPending(first)).isFalse();
        assertThat(wheel.cancel(first)).isFalse();
        assertThat(wheel.reschedule(first, T0 + 1)).isFalse();
        assertThatThrownBy(() -> wheel.deadlineOf(first)).isInstanceOf(IllegalArgumentException.class);
        assertThat(wheel.deadlineOf(second)).isEqualTo(T0 + 20);
        assertThat(label(second)).isEqualTo(2);

        // A fired handle is stale too, and the slot's next tenant is unaffected by it.
        assertThat(wheel.advance(T0 + 20, 10, rec)).isEqualTo(1);
        assertThat(wheel.isPending(second)).isFalse();
        long third = schedule(wheel, T0 + 30, 3);
        assertThat((int) third).isEqualTo((int) first);
        assertThat(wheel.cancel(second)).isFalse();
        assertThat(wheel.reschedule(second, T0 + 21)).isFalse();
        assertThat(wheel.deadlineOf(third)).isEqualTo(T0 + 30);
        assertThat(wheel.size()).isEqualTo(1);
    }

    @Test
    void garbageHandlesAreRejected() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        schedule(wheel, T0 + 1, 1);
        for (long handle : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, 1L << 32 | 5, 2L << 32}) {
            assertThat(wheel.isPending(handle)).isFalse();
            assertThat(wheel.cancel(handle)).isFalse();
            assertThat(wheel.reschedule(handle, T0)).isFalse();
        }
        assertThat(wheel.size()).isEqualTo(1);
    }

    @Test
    void nextDeadlineLowerBound() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        Recorder rec = new Recorder();
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(Long.MAX_VALUE);

        long far = schedule(wheel, T0 + 86_400_000, 1);
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(T0 + 86_400_000);
        long near = schedule(wheel, T0 + 5_000, 2);
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(T0 + 5_000);
        assertThat(wheel.cancel(near)).isTrue();
        assertThat(wheel.nextDeadlineLowerBound()).isBetween(T0 + 1, T0 + 86_400_000);

        // An owner that sleeps until the bound and advances there never fires early and ends on time.
        int wakeups = 0;
        while (wheel.size() > 0) {
            long bound = wheel.nextDeadlineLowerBound();
            assertThat(bound).isLessThanOrEqualTo(T0 + 86_400_000);
            wheel.advance(bound, 10, rec);
            assertThat(++wakeups).as("wake-ups").isLessThanOrEqualTo(TimerWheel.LEVELS);
        }
        assertThat(rec.fired).containsExactly(new long[] {1, T0 + 86_400_000});
        assertThat(wheel.isPending(far)).isFalse();
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void handlerMayScheduleAndCancelButNotAdvance() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        List<Long> fired = new ArrayList<>();
        long victim = schedule(wheel, T0 + 10, 99);
        schedule(wheel, T0 + 10, 1);
        schedule(wheel, T0 + 10, 2);
        long[] cancelResult = {0};
        TimerWheel.ExpiryHandler handler = (handle, deadline) -> {
            long payload = label(handle);
            fired.add(payload);
            if (payload == 1) {
                cancelResult[0] = wheel.cancel(victim) ? 1 : -1; // may or may not have fired already
                schedule(wheel, T0 + 5, 3); // already due: fires in this same call
                schedule(wheel, T0 + 11, 4); // not yet due
            }
            assertThatThrownBy(() -> wheel.advance(T0 + 20, 1, (p, d) -> {}))
                    .isInstanceOf(IllegalStateException.class);
        };
        int n = wheel.advance(T0 + 10, 100, handler);
        assertThat(fired).contains(1L, 2L, 3L).doesNotContain(4L);
        assertThat(n).isEqualTo(fired.size());
        assertThat(fired.contains(99L)).isEqualTo(cancelResult[0] == -1);
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(wheel.advance(T0 + 11, 100, (h, d) -> fired.add(label(h)))).isEqualTo(1);
        assertThat(fired.getLast()).isEqualTo(4L);
    }

    @Test
    void aThrowingHandlerLosesNoOtherTimer() {
        TimerWheel wheel = new TimerWheel(T0, 4);
        for (int i = 0; i < 5; i++) {
            schedule(wheel, T0 + 1, i);
        }
        List<Long> fired = new ArrayList<>();
        assertThatThrownBy(() -> wheel.advance(T0 + 1, 10, (h, d) -> {
            fired.add(label(h));
            if (fired.size() == 2) {
                throw new IllegalStateException("boom");
            }
        })).hasMessage("boom");
        assertThat(wheel.size()).isEqualTo(3);
        assertThat(wheel.advance(T0 + 1, 10, (h, d) -> fired.add(label(h)))).isEqualTo(3);
        assertThat(fired).doesNotHaveDuplicates().hasSize(5);
    }

    @Test
    void aMillionTimersOnOneMillisecondAllFireOnce() {
        TimerWheel wheel = new TimerWheel(T0, 1 << 20);
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            schedule(wheel, T0 + 3_600_000, i);
        }
        assertThat(wheel.capacity()).isEqualTo(1 << 20); // no slot table growth
        assertThat(wheel.footprintBytes()).as("one crowded millisecond costs what a spread million does")
                .isLessThanOrEqualTo(24L * n);
        BitSet seen = new BitSet(n);
        int total = 0;
        int fired;
        do {
            fired = wheel.advance(T0 + 3_600_000, 250_000, (h, d) -> seen.set((int) label(h)));
            total += fired;
        } while (fired > 0);
        assertThat(total).isEqualTo(n);
        assertThat(seen.cardinality()).isEqualTo(n);
        assertThat(wheel.footprintBytes()).as("the emptied crowd gives its bucket back").isLessThan(9L * (1 << 20) + 100_000);
    }

    @Test
    void aSpreadMillionStaysUnder24BytesPerTimerAsItChurns() {
        TimerWheel wheel = new TimerWheel(T0, 1_000_000);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            wheel.schedule(T0 + random.nextLong(1_000, 86_400_000));
        }
        assertThat(wheel.footprintBytes() / (double) wheel.size()).isLessThanOrEqualTo(24.0);
        long now = T0;
        for (int step = 0; step < 36 * 3600; step += 10) { // 36 hours in 10 s steps, each fired timer re-armed
            long t = now += 10_000;
            wheel.advance(t, Integer.MAX_VALUE, (h, d) -> wheel.schedule(t + random.nextLong(1_000, 86_400_000)));
        }
        assertThat(wheel.size()).isEqualTo(1_000_000);
        assertThat(wheel.footprintBytes() / (double) wheel.size()).isLessThanOrEqualTo(24.0);
    }

    @Test
    void coversTheWholeLongRange() {
        TimerWheel wheel = new TimerWheel(Long.MIN_VALUE, 4);
        Recorder rec = new Recorder();
        schedule(wheel, Long.MAX_VALUE, 1);
        schedule(wheel, -1, 2);
        schedule(wheel, 0, 3);
        schedule(wheel, Long.MIN_VALUE + 1, 4);
        assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(wheel.advance(-2, 10, rec)).isEqualTo(1);
        assertThat(wheel.advance(-1, 10, rec)).isEqualTo(1);
        assertThat(wheel.advance(0, 10, rec)).isEqualTo(1);
        assertThat(wheel.advance(Long.MAX_VALUE - 1, 10, rec)).isZero();
        assertThat(wheel.advance(Long.MAX_VALUE, 10, rec)).isEqualTo(1);
        assertThat(rec.payloads()).containsExactly(4L, 2L, 3L, 1L);
        // At the end of time everything scheduled is due at once.
        schedule(wheel, Long.MAX_VALUE, 5);
        assertThat(wheel.advance(Long.MAX_VALUE, 10, rec)).isEqualTo(1);
    }
}
