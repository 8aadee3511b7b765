package dev.ephemera.legacy.proxy;

/**
 * Where proxies report every connection (or HTTP exchange) they carry and every one they refuse.
 * Implementations must not block for long: they are called on the proxy's I/O threads.
 */
public interface ProxyAudit {
    void opened(String connectionId, String protocol, ProxyLease lease, String client);

    void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason);

    void refused(String protocol, String client, String reason);
}
