package dev.ephemera.server.domain.proxy;

import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection (HTTP exchange) a proxy carries, kept durably with its task, agent and lease —
 * when it opened, when and why it closed, how many bytes went each way — and logged; refusals are
 * logged (they belong to no lease).
 */
@Singleton
public final class ProxyAuditLog implements ProxyAudit {
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.proxy");

    /** One proxied connection, as an auditor reads it. */
    public record Connection(String id, String protocol, String tenant, String taskId, String agentId, String leaseId,
                             String route, String client, Instant openedAt, Instant closedAt, Long bytesFromClient,
                             Long bytesToClient, String closeReason) {}

    private final Documents documents;
    private final InstantSource clock;

    ProxyAuditLog(Documents documents, InstantSource clock) {
        this.documents = documents;
        this.clock = clock;
    }

    @Override
    public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
        audit.info("{} {} opened: route {}, lease {}, task {}, agent {}, tenant {}, from {}", protocol, connectionId, lease.route(),
                lease.leaseId(), lease.taskId(), lease.agentId(), lease.tenant(), client);
        save(new Connection(connectionId, protocol, lease.tenant(), lease.taskId(), lease.agentId(), lease.leaseId(), lease.route(),
                client, clock.instant(), null, null, null, null));
    }

    @Override
    public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient,
                       String reason) {
        audit.info("{} {} closed ({}): lease {}, {} bytes from the client, {} to it", protocol, connectionId, reason, lease.leaseId(),
                bytesFromClient, bytesToClient);
        Instant opened = documents.get(key(lease.tenant(), lease.taskId(), connectionId), Connection.class)
                .map(Connection::openedAt).orElse(null);
        save(new Connection(connectionId, protocol, lease.tenant(), lease.taskId(), lease.agentId(), lease.leaseId(), lease.route(),
                null, opened, clock.instant(), bytesFromClient, bytesToClient, reason));
    }

    @Override
    public void refused(String protocol, String client, String reason) {
        audit.warn("{} connection from {} refused: {}", protocol, client, reason);
    }

    public List<Connection> ofTask(String tenant, String taskId) {
        return documents.list(Keys.prefix("proxy-conn", tenant, taskId), Connection.class);
    }

    private void save(Connection connection) {
        try {
            documents.put(key(connection.tenant(), connection.taskId(), connection.id()), connection);
        } catch (RuntimeException e) {
            // The log line above stands; a proxy must not fail a session because storage hiccupped.
            audit.error("proxy connection {} could not be recorded durably: {}", connection.id(), e.toString());
        }
    }

    private static byte[] key(String tenant, String taskId, String connectionId) {
        return Keys.of("proxy-conn", tenant, taskId, connectionId);
    }
}
