package dev.ephemera.lease.wheel;

import java.util.Arrays;
import java.util.Objects;

/**
 * A hierarchical timer wheel with millisecond resolution and exact deadlines, sized for millions of
 * pending lease timers.
 *
 * <h2>Threading</h2>
 * <b>Single writer.</b> The wheel is not thread-safe and performs no synchronisation: one owner
 * thread calls every method (including the read-only ones). Other threads hand work to the owner
 * (for example through a queue) instead of touching the wheel.
 *
 * <h2>Structure</h2>
 * Time is split into 11 levels of 64 buckets: level {@code L} buckets span {@code 64^L} ms, so level 0
 * holds one exact millisecond per bucket and level 10 reaches past the end of the {@code long} range
 * (any deadline, including {@link Long#MAX_VALUE}, fits without an overflow list). A pending timer
 * with deadline {@code d > now} lives at the level of the highest 6-bit digit in which {@code d}
 * and the wheel's current time differ, in the bucket named by that digit of {@code d}. Each level
 * keeps a 64-bit occupancy bitmap, so the next non-empty bucket is found with a
 * {@code numberOfTrailingZeros} per level and empty stretches of time cost nothing to cross.
 * Timers whose deadline is at or before the current time wait in a FIFO <i>due list</i> until an
 * {@link #advance} delivers them.
 * <p>
 * <b>Lazy cascading:</b> when time reaches the start of a bucket above level 0, that bucket's timers
 * are re-filed relative to the new time (into lower levels, or into the due list when their
 * deadline has come). Nothing else moves, so a timer cancelled or rescheduled before its bucket
 * comes due is never touched again. A timer cascades at most 11 times over its life.
 * <p>
 * <b>Exact deadlines:</b> level 0 buckets are single milliseconds and higher-level buckets are only
 * opened once time reaches their first millisecond, so a timer never fires before its deadline and
 * fires in the first {@code advance} whose {@code now} reaches it (subject to {@code limit}).
 *
 * <h2>Memory</h2>
 * Timers live in parallel primitive arrays indexed by slot: {@code long} deadline, {@code long}
 * payload, {@code int} next, {@code int} prev and {@code int} generation: 28 bytes per slot,
 * whatever the deadlines (a million timers on one millisecond cost the same as a million spread
 * ones). The arrays double when full and are never shrunk; freed slots are reused from a free
 * list. The fixed part is 704 bucket heads plus 704 per-bucket minimum deadlines (~8.5 KB).
 * Schedule, cancel and reschedule are O(1) and allocate nothing; advance allocates nothing.
 *
 * <h2>Handles</h2>
 * A handle is {@code (generation << 32) | slot}. A slot's 31-bit generation is incremented when the
 * slot is taken and again when it is freed (odd = pending, even = free), so once a timer fires or is
 * cancelled its handle never matches again, even after the slot is reused (until the same slot has
 * been reused 2^30 times). Valid handles are always {@code > 0}, so {@code 0} and negative values
 * are safe "no timer" sentinels for callers.
 *
 * <h2>Expiry callbacks</h2>
 * {@link ExpiryHandler#onExpiry} runs on the owner thread inside {@link #advance}. The timer has
 * already been removed when it is called ({@link #isPending} answers {@code false} for its handle).
 * The handler may call {@link #schedule}, {@link #cancel}, {@link #reschedule} and the queries; a
 * timer it schedules at or before the current time may fire within the same {@code advance}
 * call if the limit allows. It must not call {@code advance} (that throws
 * {@link IllegalStateException}). If the handler throws, the timer stays fired (removed), the
 * exception propagates, and the remaining due timers fire on later calls.
 */
public final class TimerWheel {

    private static final int BITS_PER_LEVEL = 6;
    private static final int BUCKETS_PER_LEVEL = 1 << BITS_PER_LEVEL;
    private static final int BUCKET_MASK = BUCKETS_PER_LEVEL - 1;
    /** Enough 6-bit digits to cover all 64 bits of a time. */
    static final int LEVELS = (Long.SIZE + BITS_PER_LEVEL - 1) / BITS_PER_LEVEL;

    private static final int NIL = -1;
    private static final int GENERATION_MASK = 0x7FFF_FFFF;
    private static final int MIN_GROWTH = 16;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /**
     * The time up to which expiries have been processed. Every pending timer with a deadline at or
     * before it is on the due list; every other one is in the bucket its deadline maps to relative
     * to it.
     */
    private long time;
    private int size;
    private boolean advancing;

    // Per-timer state, indexed by slot.
    private long[] deadlines;
    private long[] payloads;
    private int[] next;
    private int[] prev;
    private int[] generations;
    /** Slots below this index have been handed out at least once; the rest were never used. */
    private int highWater;
    private int freeHead = NIL;

    // Per-bucket state, indexed by (level << 6) | bucket.
    private final int[] heads = new int[LEVELS * BUCKETS_PER_LEVEL];
    /** Smallest deadline inserted since the bucket was last empty: a lower bound of its timers. */
    private final long[] bucketMinDeadline = new long[LEVELS * BUCKETS_PER_LEVEL];
    /** Bit {@code b} of {@code occupied[L]} is set iff bucket {@code b} of level {@code L} is non-empty. */
    private final long[] occupied = new long[LEVELS];

    private int dueHead = NIL;
    private int dueTail = NIL;
    private long dueMinDeadline;

    // Diagnostics for tests (package-private, not part of the API).
    private long cascadedTimers;
    private long bucketsOpened;

    /**
     * Creates an empty wheel.
     *
     * @param startTimeMillis the initial current time; any {@code long} is accepted
     * @param initialCapacity the number of timers that fit before the arrays grow; must be {@code >= 0}
     */
    public TimerWheel(long startTimeMillis, int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0: " + initialCapacity);
        }
        int capacity = Math.min(initialCapacity, MAX_CAPACITY);
        this.time = startTimeMillis;
        this.deadlines = new long[capacity];
        this.payloads = new long[capacity];
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.generations = new int[capacity];
        Arrays.fill(heads, NIL);
    }

    /**
     * Arms a timer. A deadline at or before the current time fires on the next {@link #advance}.
     *
     * @return a handle ({@code > 0}) for {@link #cancel}, {@link #reschedule} and the queries
     * @throws IllegalStateException if the wheel already holds the maximum number of timers
     */
    public long schedule(long deadlineMillis, long payload) {
        int slot = allocate();
        deadlines[slot] = deadlineMillis;
        payloads[slot] = payload;
        link(slot, deadlineMillis);
        size++;
        return ((long) generations[slot] << 32) | slot;
    }

    /**
     * Disarms a pending timer.
     *
     * @return {@code false} when the handle already fired, was cancelled, or is stale or invalid
     */
    public boolean cancel(long handle) {
        int slot = slotOf(handle);
        if (slot == NIL) {
            return false;
        }
        unlink(slot);
        release(slot);
        return true;
    }

    /**
     * Moves a pending timer to a new deadline in place (lease renewal); the handle stays valid.
     * A new deadline at or before the current time fires on the next {@link #advance}.
     *
     * @return {@code false} as for {@link #cancel}; the wheel is then unchanged
     */
    public boolean reschedule(long handle, long newDeadlineMillis) {
        int slot = slotOf(handle);
        if (slot == NIL) {
            return false;
        }
        unlink(slot);
        deadlines[slot] = newDeadlineMillis;
        link(slot, newDeadlineMillis);
        return true;
    }

    /**
     * Fires every pending timer with deadline {@code <= nowMillis}, at most {@code limit} of them;
     * the rest fire on the following calls. Time never goes backwards: a {@code nowMillis} earlier
     * than {@link #currentTimeMillis()} is treated as the current time.
     * <p>
     * A return value below {@code limit} means nothing due is left. When the call stops at its
     * limit with due timers left, the current time may stay behind {@code nowMillis} (at the
     * deadline being delivered); the next call catches up. Timers are not delivered in strict
     * deadline order within one millisecond (or among timers scheduled in the past), but every
     * timer delivered has a deadline at or before {@code nowMillis}.
     * <p>
     * Work per call is O(limit) deliveries plus the cascading of the buckets reached; each timer is
     * cascaded at most 11 times in its life. A {@code limit <= 0} does nothing and returns 0.
     *
     * @return the number of timers fired
     * @throws IllegalStateException if called from an {@link ExpiryHandler}
     */
    public int advance(long nowMillis, int limit, ExpiryHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (advancing) {
            throw new IllegalStateException("advance must not be called from an ExpiryHandler");
        }
        if (limit <= 0) {
            return 0;
        }
        final long now = Math.max(nowMillis, time);
        advancing = true;
        int fired = 0;
        try {
            while (true) {
                while (dueHead != NIL) {
                    if (fired == limit) {
                        return fired;
                    }
                    int slot = dueHead;
                    int after = next[slot];
                    dueHead = after;
                    if (after == NIL) {
                        dueTail = NIL;
                    } else {
                        prev[after] = NIL;
                    }
                    long deadline = deadlines[slot];
                    long payload = payloads[slot];
                    release(slot);
                    fired++;
                    handler.onExpiry(payload, deadline);
                }
                int level = firstOccupiedLevel();
                if (level == NIL) {
                    time = now;
                    return fired;
                }
                int bucket = Long.numberOfTrailingZeros(occupied[level]);
                long start = bucketStart(level, bucket);
                if (start > now) {
                    time = now;
                    return fired;
                }
                if (fired == limit) {
                    return fired;
                }
                time = start;
                openBucket(level, bucket);
            }
        } finally {
            advancing = false;
        }
    }

    /**
     * A time at or before the earliest pending deadline, or {@link Long#MAX_VALUE} when the wheel is
     * empty (a timer due at {@code Long.MAX_VALUE} also answers {@code Long.MAX_VALUE}; use
     * {@link #size()} to tell them apart). The owner thread may sleep until then. The bound is never
     * later than the earliest deadline; it is usually exact, because each bucket remembers the
     * smallest deadline put into it since it was last empty (it can be early after that timer was
     * cancelled or rescheduled). While timers are due it is at or before the current time.
     */
    public long nextDeadlineLowerBound() {
        if (dueHead != NIL) {
            return dueMinDeadline;
        }
        int level = firstOccupiedLevel();
        if (level == NIL) {
            return Long.MAX_VALUE;
        }
        return bucketMinDeadline[(level << BITS_PER_LEVEL) | Long.numberOfTrailingZeros(occupied[level])];
    }

    /** The number of pending timers (including due ones not yet delivered). */
    public int size() {
        return size;
    }

    /**
     * The time up to which expiries have been processed: the start time, then the {@code now} of the
     * latest {@link #advance} (or the deadline it stopped at when it hit its limit).
     */
    public long currentTimeMillis() {
        return time;
    }

    /** Whether the handle names a timer that has neither fired nor been cancelled. */
    public boolean isPending(long handle) {
        return slotOf(handle) != NIL;
    }

    /**
     * The deadline of a pending timer.
     *
     * @throws IllegalArgumentException if the handle is not pending (fired, cancelled, stale or invalid)
     */
    public long deadlineOf(long handle) {
        return deadlines[pendingSlot(handle)];
    }

    /**
     * The payload of a pending timer.
     *
     * @throws IllegalArgumentException if the handle is not pending (fired, cancelled, stale or invalid)
     */
    public long payloadOf(long handle) {
        return payloads[pendingSlot(handle)];
    }

    @Override
    public String toString() {
        return "TimerWheel[time=" + time + ", size=" + size + ", capacity=" + deadlines.length + "]";
    }

    /** Receives expired timers on the owner thread; see the class comment for what it may do. */
    @FunctionalInterface
    public interface ExpiryHandler {
        void onExpiry(long payload, long deadlineMillis);
    }

    // ---------------------------------------------------------------------------------------------
    // Diagnostics for tests.

    /** Timers moved out of an opened bucket (into a lower level or the due list), in total. */
    long cascadedTimers() {
        return cascadedTimers;
    }

    /** Buckets opened by advance, in total. */
    long bucketsOpened() {
        return bucketsOpened;
    }

    int capacity() {
        return deadlines.length;
    }

    // ---------------------------------------------------------------------------------------------
    // Slots and handles.

    private int slotOf(long handle) {
        int slot = (int) handle;
        int generation = (int) (handle >>> 32);
        if (slot < 0 || slot >= highWater || generations[slot] != generation || (generation & 1) == 0) {
            return NIL;
        }
        return slot;
    }

    private int pendingSlot(long handle) {
        int slot = slotOf(handle);
        if (slot == NIL) {
            throw new IllegalArgumentException("No pending timer for handle " + Long.toHexString(handle));
        }
        return slot;
    }

    private int allocate() {
        int slot = freeHead;
        if (slot != NIL) {
            freeHead = next[slot];
        } else {
            if (highWater == deadlines.length) {
                grow();
            }
            slot = highWater++;
        }
        generations[slot] = (generations[slot] + 1) & GENERATION_MASK; // even -> odd: pending
        return slot;
    }

    private void release(int slot) {
        generations[slot] = (generations[slot] + 1) & GENERATION_MASK; // odd -> even: free
        prev[slot] = NIL;
        next[slot] = freeHead;
        freeHead = slot;
        size--;
    }

    private void grow() {
        int capacity = deadlines.length;
        if (capacity >= MAX_CAPACITY) {
            throw new IllegalStateException("TimerWheel is full: " + capacity + " timers");
        }
        int newCapacity = (int) Math.min(MAX_CAPACITY, Math.max(MIN_GROWTH, 2L * capacity));
        deadlines = Arrays.copyOf(deadlines, newCapacity);
        payloads = Arrays.copyOf(payloads, newCapacity);
        next = Arrays.copyOf(next, newCapacity);
        prev = Arrays.copyOf(prev, newCapacity);
        generations = Arrays.copyOf(generations, newCapacity);
    }

    // ---------------------------------------------------------------------------------------------
    // Placement. Times are compared as unsigned "keys" (t ^ Long.MIN_VALUE) so that the digit
    // arithmetic works across the whole signed range; only the top level's digit is affected.

    /** The level of a deadline later than the current time: its highest digit differing from time. */
    private int levelOf(long deadline) {
        return (63 - Long.numberOfLeadingZeros(deadline ^ time)) / BITS_PER_LEVEL;
    }

    private static int bucketOf(long deadline, int level) {
        return (int) ((deadline ^ Long.MIN_VALUE) >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK;
    }

    /** The first millisecond of a bucket, relative to the current time. */
    private long bucketStart(int level, int bucket) {
        int shift = level * BITS_PER_LEVEL;
        int span = shift + BITS_PER_LEVEL;
        long high = span >= Long.SIZE ? 0L : (time ^ Long.MIN_VALUE) & (-1L << span);
        return (high | ((long) bucket << shift)) ^ Long.MIN_VALUE;
    }

    private int firstOccupiedLevel() {
        long[] occupied = this.occupied;
        for (int level = 0; level < LEVELS; level++) {
            if (occupied[level] != 0L) {
                return level;
            }
        }
        return NIL;
    }

    /** Files a detached slot: on the due list if its deadline has come, else into its bucket. */
    private void link(int slot, long deadline) {
        if (deadline <= time) {
            int tail = dueTail;
            next[slot] = NIL;
            prev[slot] = tail;
            if (tail == NIL) {
                dueHead = slot;
                dueMinDeadline = deadline;
            } else {
                next[tail] = slot;
                if (deadline < dueMinDeadline) {
                    dueMinDeadline = deadline;
                }
            }
            dueTail = slot;
            return;
        }
        int level = levelOf(deadline);
        int bucket = bucketOf(deadline, level);
        int list = (level << BITS_PER_LEVEL) | bucket;
        int head = heads[list];
        prev[slot] = NIL;
        next[slot] = head;
        if (head == NIL) {
            occupied[level] |= 1L << bucket;
            bucketMinDeadline[list] = deadline;
        } else {
            prev[head] = slot;
            if (deadline < bucketMinDeadline[list]) {
                bucketMinDeadline[list] = deadline;
            }
        }
        heads[list] = slot;
    }

    /** Detaches a pending slot from its list. Its list is recomputed only when it is at an end. */
    private void unlink(int slot) {
        int before = prev[slot];
        int after = next[slot];
        if (after != NIL) {
            prev[after] = before;
        }
        if (before != NIL) {
            next[before] = after;
            if (after == NIL && deadlines[slot] <= time) {
                dueTail = before;
            }
            return;
        }
        long deadline = deadlines[slot];
        if (deadline <= time) {
            dueHead = after;
            if (after == NIL) {
                dueTail = NIL;
            }
            return;
        }
        int level = levelOf(deadline);
        int bucket = bucketOf(deadline, level);
        heads[(level << BITS_PER_LEVEL) | bucket] = after;
        if (after == NIL) {
            occupied[level] &= ~(1L << bucket);
        }
    }

    /** Re-files every timer of a bucket whose first millisecond is the (new) current time. */
    private void openBucket(int level, int bucket) {
        int list = (level << BITS_PER_LEVEL) | bucket;
        int slot = heads[list];
        heads[list] = NIL;
        occupied[level] &= ~(1L << bucket);
        bucketsOpened++;
        long moved = 0;
        while (slot != NIL) {
            int after = next[slot];
            link(slot, deadlines[slot]);
            slot = after;
            moved++;
        }
        cascadedTimers += moved;
    }
}
