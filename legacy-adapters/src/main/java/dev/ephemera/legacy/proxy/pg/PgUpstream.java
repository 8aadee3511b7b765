package dev.ephemera.legacy.proxy.pg;

import dev.ephemera.legacy.proxy.ProxyLease;
import java.util.Objects;

/**
 * Where an admitted agent's connection goes and as whom: the escrowed login the proxy presents
 * upstream (by SCRAM only) in place of the lease token the agent presented.
 *
 * @param tls whether to require TLS to the upstream server (verified against the JVM's trust store)
 */
public record PgUpstream(String host, int port, String database, String user, String password, ProxyLease lease, boolean tls) {
    public PgUpstream {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(lease, "lease");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A plain-TCP upstream (loopback or a trusted network). */
    public PgUpstream(String host, int port, String database, String user, String password, ProxyLease lease) {
        this(host, port, database, user, password, lease, false);
    }

    /** Never shows the password: records end up in logs and exception messages. */
    @Override
    public String toString() {
        return "PgUpstream[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", lease=" + lease + ", tls=" + tls + "]";
    }
}
