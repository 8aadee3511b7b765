package dev.ephemera.server;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Starts the vault on a data directory: opens storage, unseals, recovers leases, then serves HTTP. */
public final class EphemeraServer implements AutoCloseable {
    private final ApplicationContext context;
    private final EmbeddedServer server;
    private final URI address;

    private EphemeraServer(ApplicationContext context, EmbeddedServer server, URI address) {
        this.context = context;
        this.server = server;
        this.address = address;
    }

    /** {@code port} 0 picks a free port. {@code overrides} may set any other configuration property. */
    public static EphemeraServer start(Path dataDir, Path unsealKeyFile, String host, int port, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(overrides);
        properties.put("ephemera.data-dir", dataDir.toString());
        properties.put("ephemera.unseal-key-file", unsealKeyFile.toString());
        properties.put("micronaut.server.host", host);
        properties.put("micronaut.server.port", port == 0 ? -1 : port);
        ApplicationContext context;
        try {
            context = ApplicationContext.builder()
                    .properties(properties)
                    .deduceEnvironment(false)
                    // Every ephemera.* record is bound and validated now, so a bad setting stops the start, not a later request.
                    .eagerInitConfiguration(true)
                    .banner(false)
                    .start();
        } catch (RuntimeException e) {
            throw StartFailure.explain(e);
        }
        try {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            return new EphemeraServer(context, server, URI.create("http://" + host + ":" + plainPort(server, properties)));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** With TLS beside plain HTTP (mutual TLS for X.509-SVIDs), the plain port is the one that is not the TLS port. */
    private static int plainPort(EmbeddedServer server, Map<String, Object> properties) {
        Object tlsPort = properties.get("micronaut.server.ssl.port");
        if (Boolean.TRUE.equals(properties.get("micronaut.server.dual-protocol")) && tlsPort != null
                && server instanceof io.micronaut.http.server.netty.NettyEmbeddedServer netty) {
            return netty.getBoundPorts().stream().filter(p -> !p.toString().equals(tlsPort.toString())).findFirst()
                    .orElse(server.getPort());
        }
        return server.getPort();
    }

    /**
     * A start refused for a reason the operator can fix (a wrong or unreadable unseal key, a data
     * directory another process holds, a setting that breaks its rule), said in one line: the dependency-injection trace around it says nothing more.
     */
    public static final class StartFailure extends RuntimeException {
        private StartFailure(String message, Throwable cause) {
            super(message, cause);
        }

        static RuntimeException explain(RuntimeException e) {
            Optional<String> setting = ConfigurationFailure.explain(e);
            if (setting.isPresent()) {
                return new StartFailure(setting.get(), e);
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof dev.ephemera.crypto.KeyringException keyring) {
                    return new StartFailure(keyring.getMessage(), e); // names which: wrong key, corrupt, unknown format
                }
                if (t instanceof dev.ephemera.crypto.BarrierException) {
                    return new StartFailure("cannot unseal: the unseal key does not open this data directory"
                            + " (a wrong key, or a corrupt keyring)", e);
                }
                if (t instanceof dev.ephemera.storage.StorageException || t instanceof java.io.UncheckedIOException
                        || (t instanceof IllegalArgumentException
                        && t.getStackTrace().length > 0 && t.getStackTrace()[0].getClassName().equals(dev.ephemera.crypto.UnsealKey.class.getName()))) {
                    return new StartFailure(t.getMessage(), e);
                }
            }
            return e;
        }
    }

    public URI address() {
        return address;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Stops serving first (releasing the port), then closes storage and the lease engine. */
    @Override
    public void close() {
        server.stop();
        context.close();
    }
}
