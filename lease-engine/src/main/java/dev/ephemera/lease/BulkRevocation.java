package dev.ephemera.lease;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Progress of one bulk revocation: leases are matched while the live table is scanned, each match
 * is durably marked for revocation in batches, then revoked by the workers. Counters only grow;
 * {@code scanDone} turns true once every match is marked, after which {@code matched} is final.
 */
public final class BulkRevocation {
    private final String id;
    private final String description;
    private final Instant startedAt;
    final AtomicInteger scanned = new AtomicInteger();
    final AtomicInteger matched = new AtomicInteger();
    final AtomicInteger revoked = new AtomicInteger();
    private volatile boolean scanDone;
    private volatile String failure;

    BulkRevocation(String id, String description, Instant startedAt) {
        this.id = id;
        this.description = description;
        this.startedAt = startedAt;
    }

    public String id() {
        return id;
    }

    /** What was asked, e.g. "agent=orders-bot". */
    public String description() {
        return description;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public int scanned() {
        return scanned.get();
    }

    public int matched() {
        return matched.get();
    }

    /** Leases whose revocation the backend has confirmed (or an admin forced). */
    public int revoked() {
        return revoked.get();
    }

    public boolean scanDone() {
        return scanDone;
    }

    /** Set when the scan itself failed (storage error); leases already marked are still revoked. */
    public String failure() {
        return failure;
    }

    public boolean done() {
        return scanDone && revoked.get() >= matched.get();
    }

    void finishScan() {
        scanDone = true;
    }

    void fail(String reason) {
        failure = reason;
        scanDone = true;
    }
}
