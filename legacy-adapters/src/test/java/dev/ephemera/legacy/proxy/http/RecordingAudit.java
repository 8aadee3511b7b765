package dev.ephemera.legacy.proxy.http;

import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Keeps every audit record; the proxy writes the closing record just after the agent has its answer. */
final class RecordingAudit implements ProxyAudit {
    record Opened(String connectionId, String protocol, ProxyLease lease, String client) {
    }

    record Closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient,
                  String reason) {
    }

    record Refused(String protocol, String client, String reason) {
    }

    final List<Opened> opened = new CopyOnWriteArrayList<>();
    final List<Closed> closed = new CopyOnWriteArrayList<>();
    final List<Refused> refused = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstClosed = new CountDownLatch(1);

    @Override
    public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
        opened.add(new Opened(connectionId, protocol, lease, client));
    }

    @Override
    public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient,
                       String reason) {
        closed.add(new Closed(connectionId, protocol, lease, bytesFromClient, bytesToClient, reason));
        firstClosed.countDown();
    }

    @Override
    public void refused(String protocol, String client, String reason) {
        refused.add(new Refused(protocol, client, reason));
    }

    Closed awaitClosed() throws InterruptedException {
        if (!firstClosed.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("no exchange closed");
        }
        return closed.getLast();
    }
}
