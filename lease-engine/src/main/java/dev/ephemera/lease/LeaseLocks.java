package dev.ephemera.lease;

import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Striped locks over lease ids: every read-modify-write of a lease record holds its stripe, so a
 * renewal, a revocation and an admin's force never overwrite one another. Batches take all their
 * stripes in index order, so two batches cannot deadlock.
 */
final class LeaseLocks {
    private static final int STRIPES = 256;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    LeaseLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    <T> T with(String leaseId, Supplier<T> body) {
        ReentrantLock lock = locks[stripe(leaseId)];
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    <T> T withAll(Collection<String> leaseIds, Supplier<T> body) {
        int[] stripes = leaseIds.stream().mapToInt(LeaseLocks::stripe).distinct().sorted().toArray();
        for (int stripe : stripes) {
            locks[stripe].lock();
        }
        try {
            return body.get();
        } finally {
            for (int i = stripes.length - 1; i >= 0; i--) {
                locks[stripes[i]].unlock();
            }
        }
    }

    private static int stripe(String leaseId) {
        return (leaseId.hashCode() & 0x7fffffff) % STRIPES;
    }
}
