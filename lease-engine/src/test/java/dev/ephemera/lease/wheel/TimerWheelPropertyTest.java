package dev.ephemera.lease.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random sequences of schedule / cancel / reschedule / advance / queries, checked operation by
 * operation against a plain reference model (a map of pending timers plus a deadline-ordered index).
 */
class TimerWheelPropertyTest {

    private static final int OPERATIONS = 4_000;
    private static final long YEAR = 365L * 24 * 3600 * 1000;

    static LongStream seeds() {
        return LongStream.range(0, 120);
    }

    /**
     * A pending timer in the model; {@code late}: overdue when filed, so it may fire before
     * earlier-filed timers with smaller deadlines.
     */
    private record Timer(long handle, long deadline, boolean late) {}

    /** The reference model: what must be pending, by handle and by deadline. */
    private static final class Model {
        final Map<Long, Timer> byHandle = new HashMap<>();
        final TreeMap<Long, Set<Long>> byDeadline = new TreeMap<>();
        final List<Long> handles = new ArrayList<>(); // pending, for random picks (lazily pruned)

        void add(Timer t) {
            byHandle.put(t.handle, t);
            byDeadline.computeIfAbsent(t.deadline, d -> new HashSet<>()).add(t.handle);
            handles.add(t.handle);
        }

        Timer remove(long handle) {
            Timer t = byHandle.remove(handle);
            if (t != null) {
                Set<Long> set = byDeadline.get(t.deadline);
                set.remove(handle);
                if (set.isEmpty()) {
                    byDeadline.remove(t.deadline);
                }
            }
            return t;
        }

        int dueCount(long now) {
            int n = 0;
            for (Set<Long> set : byDeadline.headMap(now, true).values()) {
                n += set.size();
            }
            return n;
        }

        long randomPending(SplittableRandom random) {
            while (true) {
                int i = random.nextInt(handles.size());
                long h = handles.get(i);
                if (byHandle.containsKey(h)) {
                    return h;
                }
                handles.set(i, handles.getLast());
                handles.removeLast();
            }
        }
    }

    /** One random scenario: its own time scale and mix of operations. */
    private static final class Scenario {
        final SplittableRandom random;
        final TimerWheel wheel;
        final Model model = new Model();
        final List<Long> deadHandles = new ArrayList<>();
        final long maxSpan; // typical reach of deadlines and time steps
        final int targetSize; // keep the model around this size
        long lastOnTimeDeadline = Long.MIN_VALUE;
        int insertions;

        Scenario(long seed) {
            random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
            long start = switch ((int) (seed % 6)) {
                case 0 -> 0L;
                case 1 -> 1_700_000_000_000L + random.nextLong(1L << 20);
                case 2 -> -random.nextLong(1L << 50);
                case 3 -> Long.MIN_VALUE + random.nextLong(1L << 30);
                case 4 -> Long.MAX_VALUE - random.nextLong(1L << 44); // jumps reach the end of time
                default -> random.nextLong();
            };
            maxSpan = switch ((int) (seed / 6 % 4)) {
                case 0 -> 200L; // dense: lots of level 0/1 traffic and collisions
                case 1 -> 100_000L;
                case 2 -> 86_400_000L;
                default -> 12 * YEAR;
            };
            targetSize = 20 + random.nextInt(400);
            wheel = new TimerWheel(start, random.nextInt(4));
        }

        long now() {
            return wheel.currentTimeMillis();
        }

        static long saturatingAdd(long a, long b) {
            long r = a + b;
            return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
        }

        /** A deadline relative to the current time: past, present, near, far, and on boundaries. */
        long randomDeadline() {
            long c = now();
            int kind = random.nextInt(100);
            if (kind < 8) {
                return saturatingAdd(c, -random.nextLong(1, 1L << random.nextInt(1, 42)));
            } else if (kind < 12) {
                return c;
            } else if (kind < 40) {
                return saturatingAdd(c, random.nextLong(1, Math.min(maxSpan, 128) + 1));
            } else if (kind < 75) {
                return saturatingAdd(c, random.nextLong(1, maxSpan + 1));
            } else if (kind < 83) {
                return saturatingAdd(c, random.nextLong(1, 12 * YEAR));
            } else if (kind < 93) {
                return boundaryNear(c);
            } else if (kind < 96) {
                return Long.MAX_VALUE - random.nextLong(3);
            } else {
                // Collide with an existing deadline.
                return model.byDeadline.isEmpty() ? c + 1 : saturatingAdd(model.byDeadline.firstKey(), random.nextInt(-1, 2));
            }
        }

        /** A time on or next to a 64^k boundary ahead of c (where cascades happen). */
        long boundaryNear(long c) {
            int shift = 6 * random.nextInt(0, 8);
            long aligned = shift == 0 ? c : (c & (-1L << shift));
            long steps = random.nextLong(1, 4);
            long base = saturatingAdd(aligned, steps << shift);
            return saturatingAdd(base, random.nextInt(-1, 2));
        }

        long randomNow() {
            long c = now();
            int kind = random.nextInt(100);
            if (kind < 10) {
                return saturatingAdd(c, -random.nextLong(0, maxSpan + 1)); // backwards: no-op in time
            } else if (kind < 35) {
                return saturatingAdd(c, random.nextLong(0, 4)); // tiny steps
            } else if (kind < 55) {
                return saturatingAdd(c, random.nextLong(0, maxSpan + 1));
            } else if (kind < 70 && !model.byDeadline.isEmpty()) {
                // Exactly on (or one before) the earliest or a random pending deadline.
                long d = random.nextBoolean()
                        ? model.byDeadline.firstKey()
                        : model.byHandle.get(model.randomPending(random)).deadline;
                return saturatingAdd(d, -random.nextInt(0, 2));
            } else if (kind < 80) {
                return boundaryNear(c);
            } else if (kind < 83) {
                return saturatingAdd(c, random.nextLong(0, 12 * YEAR)); // big jump
            } else if (kind < 84) {
                return saturatingAdd(c, random.nextLong(0, YEAR << random.nextInt(1, 10))); // huge jump
            } else {
                return saturatingAdd(c, random.nextLong(0, Math.max(2, maxSpan / 50)));
            }
        }

        int randomLimit() {
            return switch (random.nextInt(5)) {
                case 0 -> 1;
                case 1 -> random.nextInt(1, 6);
                case 2 -> random.nextInt(1, 100);
                case 3 -> random.nextInt(-1, 1); // 0 or -1: does nothing
                default -> Integer.MAX_VALUE;
            };
        }

        /** A handle that is not pending: fired/cancelled (possibly with its slot reused) or garbage. */
        long randomDeadHandle() {
            if (!deadHandles.isEmpty() && random.nextInt(10) > 0) {
                return deadHandles.get(random.nextInt(deadHandles.size()));
            }
            return switch (random.nextInt(3)) {
                case 0 -> random.nextLong();
                case 1 -> random.nextLong(0, 64); // generation 0: a free slot
                default -> ((long) random.nextInt(0, 1 << 10) << 32) | random.nextInt(0, 64);
            };
        }

        void run() {
            for (int op = 0; op < OPERATIONS; op++) {
                int kind = random.nextInt(100);
                int size = model.byHandle.size();
                if (kind < 30 || size == 0) {
                    int burst = random.nextInt(20) == 0 ? random.nextInt(1, 200) : 1;
                    if (size > 3 * targetSize) {
                        burst = 0;
                    }
                    for (int i = 0; i < burst; i++) {
                        schedule();
                    }
                } else if (kind < 42) {
                    cancel();
                } else if (kind < 60) {
                    reschedule();
                } else if (kind < 88) {
                    advance(randomNow(), randomLimit());
                } else {
                    query();
                }
                checkInvariants();
            }
            // Drain: everything left must fire, once, when time reaches the latest deadline.
            if (!model.byDeadline.isEmpty()) {
                long last = model.byDeadline.lastKey();
                int limit = random.nextInt(1, 50);
                int guard = 0;
                int maxCalls = model.byHandle.size() + 1;
                while (!model.byHandle.isEmpty()) {
                    advance(last, limit);
                    checkInvariants();
                    assertThat(++guard).as("drain calls").isLessThanOrEqualTo(maxCalls);
                }
            }
            assertThat(wheel.size()).isZero();
            assertThat(wheel.nextDeadlineLowerBound()).isEqualTo(Long.MAX_VALUE);
            // Amortised cascading: each insertion is re-filed at most once per level.
            assertThat(wheel.cascadedTimers()).isLessThanOrEqualTo((long) insertions * TimerWheel.LEVELS);
        }

        void schedule() {
            long deadline = randomDeadline();
            boolean late = deadline < now();
            long handle = wheel.schedule(deadline);
            insertions++;
            assertThat(handle).isPositive();
            assertThat(model.byHandle).doesNotContainKey(handle);
            assertThat(wheel.isPending(handle)).isTrue();
            assertThat(wheel.deadlineOf(handle)).isEqualTo(deadline);
            model.add(new Timer(handle, deadline, late));
        }

        void cancel() {
            boolean live = random.nextInt(4) > 0;
            long handle = live ? model.randomPending(random) : randomDeadHandle();
            boolean expected = model.byHandle.containsKey(handle);
            assertThat(wheel.cancel(handle)).as("cancel %x", handle).isEqualTo(expected);
            if (expected) {
                model.remove(handle);
                deadHandles.add(handle);
                assertThat(wheel.isPending(handle)).isFalse();
                assertThat(wheel.cancel(handle)).isFalse();
            }
        }

        void reschedule() {
            boolean live = random.nextInt(4) > 0;
            long handle = live ? model.randomPending(random) : randomDeadHandle();
            long deadline = randomDeadline();
            Timer old = model.byHandle.get(handle);
            assertThat(wheel.reschedule(handle, deadline)).as("reschedule %x", handle).isEqualTo(old != null);
            if (old != null) {
                insertions++;
                model.remove(handle);
                model.add(new Timer(handle, deadline, deadline < now()));
                assertThat(wheel.deadlineOf(handle)).isEqualTo(deadline);
            }
        }

        void advance(long now, int limit) {
            long before = now();
            long effectiveNow = Math.max(now, before);
            int due = model.dueCount(effectiveNow);
            Set<Long> firedHandles = new HashSet<>();
            int sizeBefore = wheel.size();
            int fired = wheel.advance(now, limit, (handle, deadline) -> {
                Timer t = model.byHandle.get(handle);
                if (t == null) {
                    fail("fired unknown or already fired handle %x", handle);
                }
                assertThat(deadline).isEqualTo(t.deadline).isLessThanOrEqualTo(effectiveNow);
                if (!t.late) {
                    assertThat(deadline).as("fired in deadline order").isGreaterThanOrEqualTo(lastOnTimeDeadline);
                    lastOnTimeDeadline = deadline;
                }
                assertThat(firedHandles.add(handle)).isTrue();
                assertThat(wheel.isPending(handle)).as("fired timer no longer pending").isFalse();
                assertThat(wheel.size()).isEqualTo(sizeBefore - firedHandles.size());
                model.remove(handle);
                deadHandles.add(handle);
            });
            assertThat(fired).isEqualTo(firedHandles.size());
            assertThat(fired).as("fired at now=%d limit=%d", now, limit)
                    .isEqualTo(limit <= 0 ? 0 : Math.min(limit, due));
            long after = now();
            assertThat(after).isBetween(before, effectiveNow);
            if (limit > 0 && fired < limit) {
                assertThat(after).isEqualTo(effectiveNow);
            }
        }

        void query() {
            long handle = random.nextBoolean() ? model.randomPending(random) : randomDeadHandle();
            Timer t = model.byHandle.get(handle);
            assertThat(wheel.isPending(handle)).isEqualTo(t != null);
            if (t != null) {
                assertThat(wheel.deadlineOf(handle)).isEqualTo(t.deadline);
            } else {
                assertThatThrownBy(() -> wheel.deadlineOf(handle)).isInstanceOf(IllegalArgumentException.class);
            }
        }

        void checkInvariants() {
            assertThat(wheel.size()).isEqualTo(model.byHandle.size());
            long bound = wheel.nextDeadlineLowerBound();
            if (model.byDeadline.isEmpty()) {
                assertThat(bound).isEqualTo(Long.MAX_VALUE);
            } else {
                long earliest = model.byDeadline.firstKey();
                assertThat(bound).as("lower bound").isLessThanOrEqualTo(earliest);
                if (earliest > now()) {
                    // Nothing is due, so the owner may sleep: the bound must be in the future.
                    assertThat(bound).isGreaterThan(now());
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void behavesLikeTheReferenceModel(long seed) {
        new Scenario(seed).run();
    }
}
