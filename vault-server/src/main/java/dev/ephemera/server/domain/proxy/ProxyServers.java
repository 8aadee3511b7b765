package dev.ephemera.server.domain.proxy;

import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import dev.ephemera.legacy.proxy.http.HttpProxyServer;
import dev.ephemera.legacy.proxy.pg.PgProxyLimits;
import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the credential-injecting proxies the configuration asks for: {@code ephemera.proxy.http.port}
 * and {@code ephemera.proxy.postgres.port} (0 for any free port; absent or negative: off).
 */
@Context
public final class ProxyServers {
    private static final Logger log = LoggerFactory.getLogger(ProxyServers.class);

    private final ProxyGate gate;
    private final ProxyAuditLog audit;
    private final String host;
    private final int httpPort;
    private final int postgresPort;
    private final PgProxyLimits postgresLimits;
    private final Duration httpRequestReadTimeout;
    private final Path keyStore;
    private final String keyStorePassword;
    private HttpProxyServer http;
    private PgProxyServer postgres;
    private volatile String postgresAuthority;

    ProxyServers(ProxyGate gate, ProxyAuditLog audit, ProxyConfiguration configuration) {
        this.gate = gate;
        this.audit = audit;
        this.host = configuration.host();
        this.httpPort = configuration.http().enabled() ? configuration.http().port() : -1;
        this.postgresPort = configuration.postgres().enabled() ? configuration.postgres().port() : -1;
        this.httpRequestReadTimeout = configuration.http().requestReadTimeout();
        this.postgresLimits = configuration.postgres().limits();
        String keyStore = configuration.tls().keyStore();
        this.keyStore = keyStore == null || keyStore.isBlank() ? null : Path.of(keyStore);
        this.keyStorePassword = configuration.tls().keyStorePassword() == null ? "" : configuration.tls().keyStorePassword();
    }

    @PostConstruct
    synchronized void start() {
        try {
            if (httpPort >= 0) {
                http = new HttpProxyServer(new InetSocketAddress(host, httpPort), null, gate, audit, HttpProxyServer.DEFAULT_REQUEST_TIMEOUT,
                        httpRequestReadTimeout);
                http.start();
                log.info("HTTP credential-injecting proxy on {}", httpAddress().orElseThrow());
            }
            if (postgresPort >= 0) {
                ProxyTls.Identity identity = ProxyTls.identity(keyStore, keyStorePassword.toCharArray());
                postgresAuthority = identity.authorityPem();
                postgres = new PgProxyServer(identity.context(),
                        new InetSocketAddress(host, postgresPort), gate, audit, SSLContext.getDefault(), postgresLimits);
                postgres.start();
                log.info("PostgreSQL credential-injecting proxy on {}", postgresAddress().orElseThrow());
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("cannot start the proxies", e);
        } catch (GeneralSecurityException e) {
            stop();
            throw new IllegalStateException("cannot set up the PostgreSQL proxy's TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Ends every session and exchange of a revoked lease, PostgreSQL sessions up to their upstream
     * backends; returns how many there were.
     */
    public int closeLease(String leaseId) throws RevocationIncompleteException {
        int closed = 0;
        if (http != null) {
            closed += http.closeLease(leaseId);
        }
        if (postgres != null) {
            closed += postgres.closeLease(leaseId);
        }
        return closed;
    }

    /** {@code http://host:port} of the HTTP proxy, when it runs. */
    public Optional<String> httpAddress() {
        return http == null ? Optional.empty() : Optional.of("http://" + host + ":" + http.port());
    }

    /** {@code host:port} of the PostgreSQL proxy, when it runs. */
    public Optional<String> postgresAddress() {
        return postgres == null ? Optional.empty() : Optional.of(host + ":" + postgres.port());
    }

    /** The certificate that verifies the PostgreSQL proxy (PEM), when it runs: a client's sslrootcert. */
    public Optional<String> postgresAuthorityPem() {
        return postgres == null ? Optional.empty() : Optional.ofNullable(postgresAuthority);
    }

    @PreDestroy
    synchronized void stop() {
        if (http != null) {
            http.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
