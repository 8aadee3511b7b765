package dev.ephemera.bench;

/**
 * One timer implementation under the benchmark's workload. Timers are named by an index below the
 * population size, so each implementation keeps its handles the way a caller of it would have to.
 */
interface TimerPeer extends AutoCloseable {

    void schedule(int index, long deadlineMillis);

    void cancel(int index);

    /** Moves a pending timer to a new deadline (a lease renewal); cancel + schedule where the API has no move. */
    default void renew(int index, long deadlineMillis) {
        cancel(index);
        schedule(index, deadlineMillis);
    }

    /**
     * Fires what is due at {@code nowMillis}, at most {@code limit}, re-arming each fired timer at
     * {@code nowMillis + rearmDelay.next()} unless {@code rearmDelay} is null; returns how many fired. Implementations that fire on their
     * own thread by the wall clock cannot be driven this way and throw.
     */
    default int expire(long nowMillis, int limit, Delays rearmDelay) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " fires on its own thread by the wall clock");
    }

    @Override
    default void close() {
    }

    /** Random delays for re-armed timers. */
    interface Delays {
        long next();
    }

    /**
     * An implementation holding {@code pending} timers (indexes 0 to pending - 1), each
     * {@code delays.next()} ahead, with room for {@code spare} more indexes.
     */
    static TimerPeer filled(String name, int pending, int spare, long startMillis, Delays delays) {
        TimerPeer peer = create(name, pending + spare, startMillis);
        for (int i = 0; i < pending; i++) {
            peer.schedule(i, startMillis + delays.next());
        }
        return peer;
    }

    static TimerPeer create(String name, int capacity, long startMillis) {
        return switch (name) {
            case "ephemera" -> new Peers.Ephemera(capacity, startMillis);
            case "agrona" -> new Peers.Agrona(capacity, startMillis);
            case "caffeine" -> new Peers.CaffeineCache(capacity, startMillis);
            case "netty" -> new Peers.Netty(capacity, startMillis);
            case "kafka" -> new Peers.Kafka(capacity, startMillis);
            case "jdk" -> new Peers.Jdk(capacity, startMillis);
            default -> throw new IllegalArgumentException("unknown timer implementation " + name);
        };
    }
}
