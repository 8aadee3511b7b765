package dev.ephemera.legacy.proxy.http;

import java.io.IOException;
import java.io.InputStream;

/** An exchange the proxy is carrying, kept so that closing its lease can cut it off mid-stream. */
final class InFlight {
    private final String leaseId;
    private final Thread carrier;
    private volatile InputStream upstreamBody;
    private volatile boolean aborted;

    InFlight(String leaseId, Thread carrier) {
        this.leaseId = leaseId;
        this.carrier = carrier;
    }

    String leaseId() {
        return leaseId;
    }

    boolean aborted() {
        return aborted;
    }

    void streaming(InputStream body) {
        upstreamBody = body;
        if (aborted) {
            closeQuietly(body);
        }
    }

    /** Closing the upstream body ends a blocked read; the interrupt ends a wait for the upstream's headers. */
    void abort() {
        aborted = true;
        InputStream body = upstreamBody;
        if (body != null) {
            closeQuietly(body);
        }
        carrier.interrupt();
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // The exchange is being cut off; the stream has nothing left worth reporting.
        }
    }
}
