package dev.ephemera.legacy.proxy;

/**
 * Where proxies report every connection (or HTTP exchange) they carry and every one they refuse.
 * Implementations must not block for long: they are called on the proxy's I/O threads.
 */
public interface ProxyAudit {
    void opened(String connectionId, String protocol, ProxyLease lease, String client);

    void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason);

    void refused(String protocol, String client, String reason);

    /** An audit that keeps only the reasons of refusals, for tools and tests that carry no lease. */
    static ProxyAudit refusalsTo(java.util.function.Consumer<String> reasons) {
        return new ProxyAudit() {
            @Override
            public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
            }

            @Override
            public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient,
                               String reason) {
            }

            @Override
            public void refused(String protocol, String client, String reason) {
                reasons.accept(reason);
            }
        };
    }
}
