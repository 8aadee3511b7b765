package dev.ephemera.lease;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded queue for many producers and one consumer, over a ring of references. Producers claim a
 * position by advancing the tail with a CAS, then publish the element with a release store; the
 * consumer takes the element at the head once it is visible, clears the cell, then advances the head.
 * A full queue refuses the element instead of growing. Plain JDK atomics, so no JVM flags are needed
 * (Agrona's equivalent needs an export of {@code jdk.internal.misc} on JDK 25).
 */
final class CommandQueue<E> {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(CommandQueue.class, "head", long.class);
            TAIL = lookup.findVarHandle(CommandQueue.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicReferenceArray<E> cells;
    private final int mask;
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile long tail;

    CommandQueue(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        cells = new AtomicReferenceArray<>(capacity);
        mask = capacity - 1;
    }

    /** Any thread. Returns false when the queue is full. */
    boolean offer(E element) {
        long position;
        do {
            position = (long) TAIL.getVolatile(this);
            if (position - (long) HEAD.getAcquire(this) > mask) {
                return false;
            }
        } while (!TAIL.compareAndSet(this, position, position + 1));
        cells.setRelease((int) position & mask, element);
        return true;
    }

    /** The consumer thread only. Returns null when nothing is published at the head yet. */
    E poll() {
        long position = (long) HEAD.getOpaque(this);
        int cell = (int) position & mask;
        E element = cells.getAcquire(cell);
        if (element == null) {
            return null;
        }
        cells.setPlain(cell, null);
        HEAD.setRelease(this, position + 1);
        return element;
    }

    /** Whether nothing has been offered that the consumer has not taken (a snapshot). */
    boolean isEmpty() {
        return (long) HEAD.getVolatile(this) == (long) TAIL.getVolatile(this);
    }
}
