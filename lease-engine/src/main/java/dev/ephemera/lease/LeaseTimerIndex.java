package dev.ephemera.lease;

import dev.ephemera.lease.wheel.TimerWheel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which timer belongs to which lease, in primitive arrays: a lease id's ASCII bytes are kept in a
 * fixed-width record under its timer's slot, and an open-addressing table maps a 64-bit hash of the id
 * to the timer handle. About 64 bytes per lease and no object per lease, where two hash maps of
 * strings and boxed handles cost several hundred; with the wheel's ~24 bytes, ten million pending
 * leases fit in well under a gigabyte. Owned by the timer thread, like the wheel.
 */
final class LeaseTimerIndex {
    /** Lease ids are "lease_" plus 26 characters; anything up to this many ASCII bytes fits. */
    static final int MAX_ID_LENGTH = 39;
    private static final int RECORD = MAX_ID_LENGTH + 1;
    private static final long EMPTY = 0;
    private static final long REMOVED = -1;

    private byte[] ids = new byte[0];
    /** Keys: the id's hash, never 0 or -1; values: timer handles. Linear probing, at most half full. */
    private long[] keys = new long[16];
    private long[] handles = new long[16];
    private int used;
    private int live;

    static boolean fits(String leaseId) {
        return leaseId.length() <= MAX_ID_LENGTH && StandardCharsets.US_ASCII.newEncoder().canEncode(leaseId);
    }

    /** The handle of the lease's timer, or 0 when it has none. */
    long handleOf(String leaseId) {
        int i = find(leaseId.getBytes(StandardCharsets.US_ASCII));
        return i < 0 ? 0 : handles[i];
    }

    /** Records a new timer; the lease must have none. */
    void put(String leaseId, long handle) {
        byte[] id = leaseId.getBytes(StandardCharsets.US_ASCII);
        int slot = TimerWheel.slotOf(handle);
        int offset = slot * RECORD;
        if (offset + RECORD > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(offset + RECORD, ids.length + (ids.length >> 1)));
        }
        ids[offset] = (byte) id.length;
        System.arraycopy(id, 0, ids, offset + 1, id.length);
        if (2 * (used + 1) > keys.length) {
            rehash();
        }
        long hash = hash(id);
        int mask = keys.length - 1;
        int i = (int) mix(hash) & mask;
        while (keys[i] != EMPTY && keys[i] != REMOVED) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            used++;
        }
        keys[i] = hash;
        handles[i] = handle;
        live++;
    }

    /** Forgets a timer, by its lease id; returns its handle or 0. */
    long remove(String leaseId) {
        int i = find(leaseId.getBytes(StandardCharsets.US_ASCII));
        if (i < 0) {
            return 0;
        }
        keys[i] = REMOVED;
        live--;
        return handles[i];
    }

    /** The table index holding this id, or -1. */
    private int find(byte[] id) {
        long hash = hash(id);
        int mask = keys.length - 1;
        for (int i = (int) mix(hash) & mask; keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == hash && sameId(TimerWheel.slotOf(handles[i]), id)) {
                return i;
            }
        }
        return -1;
    }

    /** The lease id of a timer that just fired, removed from the index. */
    String removeFired(long handle) {
        int offset = TimerWheel.slotOf(handle) * RECORD;
        String leaseId = new String(ids, offset + 1, ids[offset], StandardCharsets.US_ASCII);
        remove(leaseId);
        return leaseId;
    }

    int size() {
        return live;
    }

    /** Bytes held by the index's arrays. */
    long footprintBytes() {
        return ids.length + 16L * keys.length;
    }

    private boolean sameId(int slot, byte[] id) {
        int offset = slot * RECORD;
        return ids[offset] == id.length && Arrays.equals(ids, offset + 1, offset + 1 + id.length, id, 0, id.length);
    }

    private void rehash() {
        long[] oldKeys = keys;
        long[] oldHandles = handles;
        int capacity = Integer.highestOneBit(Math.max(16, live * 4 - 1)) << 1;
        keys = new long[capacity];
        handles = new long[capacity];
        used = 0;
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != EMPTY && key != REMOVED) {
                int i = (int) mix(key) & mask;
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                handles[i] = oldHandles[j];
                used++;
            }
        }
    }

    /** FNV-1a over the bytes, kept clear of the two marker values. */
    private static long hash(byte[] id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id) {
            h = (h ^ b) * 0x100000001b3L;
        }
        return h == EMPTY || h == REMOVED ? 1 : h;
    }

    /** Spreads the hash's high bits into the low bits used as a table index. */
    private static long mix(long hash) {
        long h = hash ^ (hash >>> 33);
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
