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
 * Timers whose deadline is before the current time wait in a <i>due</i> bucket.
 * <p>
 * <b>Buckets are arrays, not linked lists.</b> A bucket holds its timers' deadlines and slots in two
 * parallel arrays, removal swaps the last entry into the hole, and expiry and cascading walk a
 * bucket front to back. Walking an array lets the CPU fetch many timers at once, where a linked
 * list would wait for one cache miss after another: that is what makes expiry cheap with a million
 * timers spread over far more memory than the caches hold.
 * <p>
 * <b>Lazy cascading:</b> when time reaches the start of a bucket above level 0, that bucket's timers
 * are re-filed relative to the new time (into lower levels, or delivered when their deadline has
 * come). Nothing else moves, so a timer cancelled or rescheduled before its bucket comes due is never
 * touched again. A timer cascades at most 10 times over its life, and 3 to 4 times for deadlines up
 * to a day ahead.
 * <p>
 * <b>Exact deadlines:</b> level 0 buckets are single milliseconds and higher-level buckets are only
 * opened once time reaches their first millisecond, so a timer never fires before its deadline and
 * fires in the first {@code advance} whose {@code now} reaches it (subject to {@code limit}).
 * Timers fire in deadline order, except that timers already overdue when scheduled (or rescheduled)
 * fire, in no particular order, before the others.
 *
 * <h2>Memory</h2>
 * About 20 bytes per pending timer: a {@code long} deadline and an {@code int} slot in its bucket, and a
 * {@code long} per slot packing the slot's generation with where its entry lives, plus the slack of
 * arrays that grow by half when full. A million timers on one millisecond cost the same as a million
 * spread ones. Small bucket arrays keep their capacity, so a steady population allocates nothing
 * per operation; a bucket that held more than 1,024 timers gives its arrays back when it empties
 * (once per rotation of its level). Freed slots are reused through a free list threaded through the
 * slot words. The fixed part is 705 bucket headers (a few tens of KB).
 * Schedule, cancel and reschedule are O(1) amortised.
 *
 * <h2>Handles</h2>
 * A handle is {@code (generation << 32) | slot}. A slot's 21-bit generation is incremented when the
 * slot is taken and again when it is freed (odd = pending, even = free), so once a timer fires or is
 * cancelled its handle stops matching, even after the slot is reused (until the same slot has been
 * reused a million times). Valid handles are always {@code > 0}, so {@code 0} and negative values are
 * safe "no timer" sentinels for callers. {@link #slotOf} gives the slot, a dense index below
 * {@link #slotCapacity()} that callers may use to keep per-timer data in their own arrays.
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
    /** Bucket id of the timers already overdue; level buckets are {@code (level << 6) | bucket}. */
    private static final int DUE = LEVELS * BUCKETS_PER_LEVEL;

    private static final int NIL = -1;
    private static final int GENERATION_BITS = 21;
    private static final int GENERATION_MASK = (1 << GENERATION_BITS) - 1;
    private static final int BUCKET_ID_BITS = 10;
    private static final int MIN_BUCKET_CAPACITY = 8;
    /** A bucket emptied by expiry or cascading gives back arrays larger than this. */
    private static final int RETAINED_BUCKET_CAPACITY = 1024;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /**
     * The time up to which expiries have been processed. Every pending timer with a deadline before
     * it is in the due bucket; every other one is in the bucket its deadline maps to relative to it.
     */
    private long time;
    private int size;
    private boolean advancing;

    /**
     * Per slot. Pending: {@code generation << 42 | bucketId << 32 | position in the bucket}. Free:
     * {@code generation << 42 | next free slot} (low 32 bits, -1 for none).
     */
    private long[] slots;
    /** Slots below this index have been handed out at least once; the rest were never used. */
    private int highWater;
    private int freeHead = NIL;

    // Per bucket, indexed by bucket id; bucket arrays are allocated on first use.
    private final long[][] bucketDeadlines = new long[DUE + 1][];
    private final int[][] bucketSlots = new int[DUE + 1][];
    private final int[] bucketSizes = new int[DUE + 1];
    /** Smallest deadline put in since the bucket was last empty: a lower bound of its timers. */
    private final long[] bucketMinDeadline = new long[DUE + 1];
    /** Bit {@code b} of {@code occupied[L]} is set iff bucket {@code b} of level {@code L} is non-empty. */
    private final long[] occupied = new long[LEVELS];


    // Diagnostics for tests (package-private, not part of the API).
    private long cascadedTimers;
    private long bucketsOpened;

    /**
     * Creates an empty wheel.
     *
     * @param startTimeMillis the initial current time; any {@code long} is accepted
     * @param initialCapacity the number of timers that fit before the slot table grows; {@code >= 0}
     */
    public TimerWheel(long startTimeMillis, int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0: " + initialCapacity);
        }
        this.time = startTimeMillis;
        this.slots = new long[Math.min(initialCapacity, MAX_CAPACITY)];
    }

    /**
     * Arms a timer. A deadline at or before the current time fires on the next {@link #advance}.
     *
     * @return a handle ({@code > 0}) for {@link #cancel}, {@link #reschedule} and the queries
     * @throws IllegalStateException if the wheel already holds the maximum number of timers
     */
    public long schedule(long deadlineMillis) {
        int slot = allocate();
        int generation = generation(slots[slot]);
        file(slot, generation, deadlineMillis);
        size++;
        return ((long) generation << 32) | slot;
    }

    /**
     * Disarms a pending timer.
     *
     * @return {@code false} when the handle already fired, was cancelled, or is stale or invalid
     */
    public boolean cancel(long handle) {
        int slot = pendingSlotOrNil(handle);
        if (slot == NIL) {
            return false;
        }
        long word = slots[slot];
        remove(bucketId(word), position(word));
        release(slot, word);
        return true;
    }

    /**
     * Moves a pending timer to a new deadline in place (lease renewal); the handle stays valid.
     * A new deadline at or before the current time fires on the next {@link #advance}.
     *
     * @return {@code false} as for {@link #cancel}; the wheel is then unchanged
     */
    public boolean reschedule(long handle, long newDeadlineMillis) {
        int slot = pendingSlotOrNil(handle);
        if (slot == NIL) {
            return false;
        }
        long word = slots[slot];
        int bucket = bucketId(word);
        if (bucket != DUE && bucket == bucketFor(newDeadlineMillis)) {
            bucketDeadlines[bucket][position(word)] = newDeadlineMillis;
            bucketMinDeadline[bucket] = Math.min(bucketMinDeadline[bucket], newDeadlineMillis);
            return true;
        }
        remove(bucket, position(word));
        file(slot, generation(word), newDeadlineMillis);
        return true;
    }

    /**
     * Fires every pending timer with deadline {@code <= nowMillis}, at most {@code limit} of them;
     * the rest fire on the following calls. Time never goes backwards: a {@code nowMillis} earlier
     * than {@link #currentTimeMillis()} is treated as the current time.
     * <p>
     * A return value below {@code limit} means nothing due is left. When the call stops at its
     * limit with due timers left, the current time may stay behind {@code nowMillis} (at the
     * deadline being delivered); the next call catches up. Every timer delivered has a deadline at
     * or before {@code nowMillis}.
     * <p>
     * Work per call is O(limit) deliveries plus the cascading of the buckets reached; each timer is
     * cascaded at most 10 times in its life. A {@code limit <= 0} does nothing and returns 0.
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
                fired = deliver(DUE, fired, limit, handler);
                if (fired == limit && bucketSizes[DUE] > 0) {
                    return fired;
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
                if (level == 0) {
                    // Every timer here is due at exactly `start`: deliver in place, no copying.
                    fired = deliver(bucket, fired, limit, handler);
                } else {
                    open(level, bucket);
                }
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
        if (bucketSizes[DUE] > 0) {
            return bucketMinDeadline[DUE];
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
        return pendingSlotOrNil(handle) != NIL;
    }

    /**
     * The deadline of a pending timer.
     *
     * @throws IllegalArgumentException if the handle is not pending (fired, cancelled, stale or invalid)
     */
    public long deadlineOf(long handle) {
        int slot = pendingSlotOrNil(handle);
        if (slot == NIL) {
            throw new IllegalArgumentException("No pending timer for handle " + Long.toHexString(handle));
        }
        long word = slots[slot];
        return bucketDeadlines[bucketId(word)][position(word)];
    }

    /** The slot of a handle: a dense index below {@link #slotCapacity()}, reused after the timer ends. */
    public static int slotOf(long handle) {
        return (int) handle;
    }

    /** The size a caller's per-slot array needs to hold every slot handed out so far. */
    public int slotCapacity() {
        return highWater;
    }

    /** Bytes held by this wheel's arrays: what its timers cost in memory. */
    public long footprintBytes() {
        long bytes = 8L * slots.length;
        for (int bucket = 0; bucket <= DUE; bucket++) {
            if (bucketSlots[bucket] != null) {
                bytes += 12L * bucketSlots[bucket].length;
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "TimerWheel[time=" + time + ", size=" + size + ", slots=" + slots.length + "]";
    }

    /** Receives expired timers on the owner thread; see the class comment for what it may do. */
    @FunctionalInterface
    public interface ExpiryHandler {
        void onExpiry(long handle, long deadlineMillis);
    }

    // ---------------------------------------------------------------------------------------------
    // Diagnostics for tests.

    /** Timers moved out of an opened bucket (into a lower level or delivered), in total. */
    long cascadedTimers() {
        return cascadedTimers;
    }

    /** Buckets above level 0 opened by advance, in total. */
    long bucketsOpened() {
        return bucketsOpened;
    }

    int capacity() {
        return slots.length;
    }

    // ---------------------------------------------------------------------------------------------
    // Slot words and handles.

    private static int generation(long word) {
        return (int) (word >>> 42);
    }

    private static int bucketId(long word) {
        return (int) (word >>> 32) & ((1 << BUCKET_ID_BITS) - 1);
    }

    private static int position(long word) {
        return (int) word;
    }

    private static long word(int generation, int bucket, int position) {
        return ((long) generation << 42) | ((long) bucket << 32) | (position & 0xFFFF_FFFFL);
    }

    private int pendingSlotOrNil(long handle) {
        int slot = (int) handle;
        long generation = handle >>> 32;
        if (slot < 0 || slot >= highWater || (generation & 1) == 0 || generation(slots[slot]) != generation) {
            return NIL;
        }
        return slot;
    }

    private int allocate() {
        int slot = freeHead;
        if (slot != NIL) {
            freeHead = (int) slots[slot];
        } else {
            if (highWater == slots.length) {
                grow();
            }
            slot = highWater++;
        }
        int generation = (generation(slots[slot]) + 1) & GENERATION_MASK; // even -> odd: pending
        slots[slot] = word(generation, 0, 0);
        return slot;
    }

    /** Frees a pending slot whose entry is already out of its bucket; returns its handle. */
    private long release(int slot, long word) {
        int generation = generation(word);
        slots[slot] = ((long) ((generation + 1) & GENERATION_MASK) << 42) | (freeHead & 0xFFFF_FFFFL);
        freeHead = slot;
        size--;
        return ((long) generation << 32) | slot;
    }

    private void grow() {
        int capacity = slots.length;
        if (capacity >= MAX_CAPACITY) {
            throw new IllegalStateException("TimerWheel is full: " + capacity + " timers");
        }
        slots = Arrays.copyOf(slots, (int) Math.min(MAX_CAPACITY, Math.max(16L, capacity + (long) (capacity >> 1))));
    }

    // ---------------------------------------------------------------------------------------------
    // Placement. Times are compared as unsigned "keys" (t ^ Long.MIN_VALUE) so that the digit
    // arithmetic works across the whole signed range; only the top level's digit is affected.

    /** The bucket a deadline belongs in relative to the current time. */
    private int bucketFor(long deadline) {
        if (deadline < time) {
            return DUE;
        }
        // deadline == time maps to level 0, the bucket of the current millisecond.
        int level = (63 - Long.numberOfLeadingZeros(deadline ^ time)) / BITS_PER_LEVEL;
        int digit = (int) ((deadline ^ Long.MIN_VALUE) >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK;
        return (level << BITS_PER_LEVEL) | digit;
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

    /** Files a pending slot under its deadline. */
    private void file(int slot, int generation, long deadline) {
        int bucket = bucketFor(deadline);
        int position = append(bucket, deadline, slot);
        slots[slot] = word(generation, bucket, position);
    }

    private int append(int bucket, long deadline, int slot) {
        int n = bucketSizes[bucket];
        int[] slotArray = bucketSlots[bucket];
        if (slotArray == null || n == slotArray.length) {
            slotArray = ensureCapacity(bucket, n == 0 ? MIN_BUCKET_CAPACITY : n + (n >> 1));
        }
        bucketDeadlines[bucket][n] = deadline;
        slotArray[n] = slot;
        bucketSizes[bucket] = n + 1;
        if (n == 0) {
            bucketMinDeadline[bucket] = deadline;
            if (bucket != DUE) {
                occupied[bucket >>> BITS_PER_LEVEL] |= 1L << (bucket & BUCKET_MASK);
            }
        } else if (deadline < bucketMinDeadline[bucket]) {
            bucketMinDeadline[bucket] = deadline;
        }
        return n;
    }

    private int[] ensureCapacity(int bucket, long needed) {
        int[] slotArray = bucketSlots[bucket];
        int capacity = slotArray == null ? 0 : slotArray.length;
        if (capacity >= needed) {
            return slotArray;
        }
        if (needed > MAX_CAPACITY) {
            throw new IllegalStateException("TimerWheel bucket is full: " + bucketSizes[bucket] + " timers");
        }
        int grown = (int) Math.max(needed, MIN_BUCKET_CAPACITY);
        bucketSlots[bucket] = slotArray = slotArray == null ? new int[grown] : Arrays.copyOf(slotArray, grown);
        long[] deadlines = bucketDeadlines[bucket];
        bucketDeadlines[bucket] = deadlines == null ? new long[grown] : Arrays.copyOf(deadlines, grown);
        return slotArray;
    }

    /** Removes an entry by moving the bucket's last entry into its place. */
    private void remove(int bucket, int position) {
        int last = bucketSizes[bucket] - 1;
        if (position != last) {
            int[] slotArray = bucketSlots[bucket];
            long[] deadlines = bucketDeadlines[bucket];
            int moved = slotArray[last];
            slotArray[position] = moved;
            deadlines[position] = deadlines[last];
            slots[moved] = (slots[moved] & ~0xFFFF_FFFFL) | position;
        }
        bucketSizes[bucket] = last;
        if (last == 0 && bucket != DUE) {
            occupied[bucket >>> BITS_PER_LEVEL] &= ~(1L << (bucket & BUCKET_MASK));
        }
    }

    /** Fires timers from the end of a bucket whose entries are all due, up to the limit. */
    private int deliver(int bucket, int fired, int limit, ExpiryHandler handler) {
        while (fired < limit && bucketSizes[bucket] > 0) {
            int last = bucketSizes[bucket] - 1;
            int slot = bucketSlots[bucket][last];
            long deadline = bucketDeadlines[bucket][last];
            remove(bucket, last);
            long handle = release(slot, slots[slot]);
            fired++;
            handler.onExpiry(handle, deadline);
        }
        trimIfEmpty(bucket);
        return fired;
    }

    /**
     * Frees the arrays of an emptied bucket that once held a crowd: a bucket far ahead fills up once
     * per rotation of its level, and keeping every such peak would double the wheel's memory.
     */
    private void trimIfEmpty(int bucket) {
        if (bucketSizes[bucket] == 0 && bucketSlots[bucket] != null
                && bucketSlots[bucket].length > RETAINED_BUCKET_CAPACITY) {
            bucketSlots[bucket] = null;
            bucketDeadlines[bucket] = null;
        }
    }

    /** Re-files every timer of a bucket above level 0 whose first millisecond is the current time. */
    private void open(int level, int bucket) {
        int id = (level << BITS_PER_LEVEL) | bucket;
        int n = bucketSizes[id];
        int[] slotArray = bucketSlots[id];
        long[] deadlines = bucketDeadlines[id];
        bucketSizes[id] = 0;
        occupied[level] &= ~(1L << bucket);
        bucketsOpened++;
        for (int i = 0; i < n; i++) {
            int slot = slotArray[i];
            long deadline = deadlines[i];
            int target = bucketFor(deadline);
            int position = append(target, deadline, slot);
            slots[slot] = (slots[slot] & (-1L << 42)) | ((long) target << 32) | position;
        }
        cascadedTimers += n;
        trimIfEmpty(id);
    }
}
