package dev.ephemera.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.ephemera.lease.wheel.TimerWheel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.apache.kafka.server.util.timer.SystemTimer;
import org.apache.kafka.server.util.timer.TimerTask;

/** The timer implementations compared, each driven the way its own API intends. */
final class Peers {
    private static final Runnable NOTHING = () -> { };

    private Peers() {
    }

    /** Ours: handles in a long[]; a fired timer's slot maps back to its index through an int[]. */
    static final class Ephemera implements TimerPeer {
        private final TimerWheel wheel;
        private final long[] handles;
        private int[] indexBySlot;

        Ephemera(int capacity, long start) {
            wheel = new TimerWheel(start, capacity + 1);
            handles = new long[capacity + 1];
            indexBySlot = new int[capacity + 1];
        }

        @Override
        public void schedule(int index, long deadline) {
            long handle = wheel.schedule(deadline);
            int slot = TimerWheel.slotOf(handle);
            if (slot >= indexBySlot.length) {
                indexBySlot = java.util.Arrays.copyOf(indexBySlot, 2 * slot);
            }
            indexBySlot[slot] = index;
            handles[index] = handle;
        }

        @Override
        public void cancel(int index) {
            wheel.cancel(handles[index]);
        }

        @Override
        public void renew(int index, long deadline) {
            wheel.reschedule(handles[index], deadline);
        }

        @Override
        public int expire(long now, int limit, Delays delays) {
            return wheel.advance(now, limit, (handle, deadline) -> {
                if (delays != null) {
                    schedule(indexBySlot[TimerWheel.slotOf(handle)], now + delays.next());
                }
            });
        }
    }

    /**
     * Agrona's single-level wheel with 4,096 ticks of 1,024 ms (a ~70-minute rotation), the shape
     * that did best in ../shared/STACK.md; its deadlines are only as exact as a tick. It has no
     * reschedule, so a renewal is cancel + schedule; fired timer ids map back through a map.
     */
    static final class Agrona implements TimerPeer {
        private final DeadlineTimerWheel wheel;
        private final long[] ids;
        private final Long2LongHashMap indexById;

        Agrona(int capacity, long start) {
            wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, start, 1024, 4096);
            ids = new long[capacity + 1];
            indexById = new Long2LongHashMap(capacity * 2, 0.65f, -1);
        }

        @Override
        public void schedule(int index, long deadline) {
            long id = wheel.scheduleTimer(deadline);
            ids[index] = id;
            indexById.put(id, index);
        }

        @Override
        public void cancel(int index) {
            wheel.cancelTimer(ids[index]);
            indexById.remove(ids[index]);
        }

        @Override
        public int expire(long now, int limit, Delays delays) {
            int fired = 0;
            // One poll handles one tick; keep polling, as its duty-cycle loop would, until caught up.
            while (fired < limit) {
                int n = wheel.poll(now, (unit, time, id) -> {
                    int index = (int) indexById.remove(id);
                    if (delays != null) {
                        schedule(index, now + delays.next());
                    }
                    return true;
                }, limit - fired);
                fired += n;
                if (n == 0 && wheel.currentTickTime() > now) {
                    break;
                }
            }
            return fired;
        }
    }

    /** Caffeine's cache with per-entry expiry (its timer wheel is not public), on a manual clock. */
    static final class CaffeineCache implements TimerPeer {
        private final long[] clock = new long[1];
        private final IntArrayList expired = new IntArrayList();
        private final Cache<Integer, Long> cache;

        CaffeineCache(int capacity, long start) {
            clock[0] = start;
            cache = Caffeine.newBuilder()
                    .initialCapacity(capacity)
                    .executor(Runnable::run)
                    .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock[0]))
                    .expireAfter(Expiry.<Integer, Long>writing((key, deadline) -> Duration.ofMillis(Math.max(0, deadline - clock[0]))))
                    .removalListener((Integer key, Long deadline, RemovalCause cause) -> {
                        if (cause == RemovalCause.EXPIRED) {
                            expired.addInt(key);
                        }
                    })
                    .build();
        }

        @Override
        public void schedule(int index, long deadline) {
            cache.put(index, deadline);
        }

        @Override
        public void cancel(int index) {
            cache.invalidate(index);
        }

        @Override
        public void renew(int index, long deadline) {
            cache.put(index, deadline);
        }

        /** Caffeine expires everything due in one cleanUp: the limit cannot be honoured. */
        @Override
        public int expire(long now, int limit, Delays delays) {
            clock[0] = now;
            expired.clear();
            cache.cleanUp();
            for (int i = 0; delays != null && i < expired.size(); i++) {
                cache.put(expired.getInt(i), now + delays.next());
            }
            return expired.size();
        }
    }

    /** Netty's HashedWheelTimer: its own worker thread fires by the wall clock. */
    static final class Netty implements TimerPeer {
        private final HashedWheelTimer timer = new HashedWheelTimer(Thread.ofPlatform().daemon().factory(),
                100, TimeUnit.MILLISECONDS, 512, false, -1);
        private final Timeout[] timeouts;
        private final long start;

        Netty(int capacity, long start) {
            timeouts = new Timeout[capacity + 1];
            this.start = start;
        }

        @Override
        public void schedule(int index, long deadline) {
            timeouts[index] = timer.newTimeout(t -> { }, deadline - start, TimeUnit.MILLISECONDS);
        }

        @Override
        public void cancel(int index) {
            timeouts[index].cancel();
        }

        @Override
        public void close() {
            timer.stop();
        }
    }

    /** Kafka's SystemTimer (hierarchical TimingWheels over a DelayQueue). */
    static final class Kafka implements TimerPeer {
        private final SystemTimer timer = new SystemTimer("bench");
        private final TimerTask[] tasks;
        private final long start;

        Kafka(int capacity, long start) {
            tasks = new TimerTask[capacity + 1];
            this.start = start;
        }

        @Override
        public void schedule(int index, long deadline) {
            TimerTask task = new TimerTask(deadline - start) {
                @Override
                public void run() {
                }
            };
            tasks[index] = task;
            timer.add(task);
        }

        @Override
        public void cancel(int index) {
            tasks[index].cancel();
        }

        @Override
        public void close() {
            try {
                timer.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The JDK's ScheduledThreadPoolExecutor (a binary heap), removing cancelled tasks at once. */
    static final class Jdk implements TimerPeer {
        private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        private final ScheduledFuture<?>[] futures;
        private final long start;

        Jdk(int capacity, long start) {
            executor.setRemoveOnCancelPolicy(true);
            futures = new ScheduledFuture<?>[capacity + 1];
            this.start = start;
        }

        @Override
        public void schedule(int index, long deadline) {
            futures[index] = executor.schedule(NOTHING, deadline - start, TimeUnit.MILLISECONDS);
        }

        @Override
        public void cancel(int index) {
            futures[index].cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
