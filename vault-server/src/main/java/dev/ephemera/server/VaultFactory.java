package dev.ephemera.server;

import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseStore;
import dev.ephemera.server.domain.backend.BackendRegistry;
import dev.ephemera.storage.KeyValueStore;
import dev.ephemera.storage.PrivateDirectory;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Opens the data directory and unseals it at startup. A vault that cannot unseal does not start:
 * there is no degraded mode that serves requests without the barrier.
 */
@Factory
public class VaultFactory {

    @Singleton
    @Bean(preDestroy = "close")
    SealedStore sealedStore(StorageConfiguration configuration) {
        KeyValueStore raw = RocksStore.open(PrivateDirectory.secure(configuration.dataDir()).resolve("rocksdb"));
        try (UnsealKey key = readUnsealKey(configuration.unsealKeyFile())) {
            return SealedStore.isInitialized(raw) ? SealedStore.unseal(raw, key) : SealedStore.initialize(raw, key);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Singleton
    Documents documents(SealedStore store) {
        return new Documents(store);
    }

    /** Primary over Micronaut's own Clock bean, which is an InstantSource too. */
    @Singleton
    @Primary
    InstantSource clock() {
        return InstantSource.system();
    }

    @Singleton
    @Bean(preDestroy = "close")
    PrometheusMeterRegistry metrics() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Context
    @Bean(preDestroy = "close")
    LeaseEngine leaseEngine(SealedStore store, BackendRegistry backends, InstantSource clock, PrometheusMeterRegistry metrics,
                            RevocationConfiguration revocation) {
        LeaseEngine engine = new LeaseEngine(new LeaseStore(store), backends, clock, revocation.retryPolicy(),
                revocation.concurrencyPerBackend(), metrics);
        // Serve at once; with millions of leases, recovery finishes in the background (and logs it).
        engine.startInBackground();
        return engine;
    }

    private static UnsealKey readUnsealKey(Path file) {
        try {
            return UnsealKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the unseal key file " + file, e);
        }
    }
}
