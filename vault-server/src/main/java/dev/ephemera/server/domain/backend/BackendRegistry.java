package dev.ephemera.server.domain.backend;

import dev.ephemera.lease.backend.BackendResolver;
import dev.ephemera.lease.backend.LeaseBackend;
import dev.ephemera.server.domain.backend.PostgresBackend;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.core.VaultIdentity;
import dev.ephemera.storage.Keys;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The live backends, one connection pool each, built from their stored configuration on first use
 * and rebuilt when the configuration changes; plus the built-in ones, whose names are reserved.
 */
@Singleton
public final class BackendRegistry implements BackendResolver {
    private record Live(BackendConfig config, PostgresBackend backend) {}

    private final Documents documents;
    private final Map<String, BuiltInBackend> builtIn;
    private final VaultIdentity vault;
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    BackendRegistry(Documents documents, List<BuiltInBackend> builtIn, VaultIdentity vault) {
        this.documents = documents;
        this.vault = vault;
        this.builtIn = builtIn.stream().collect(Collectors.toUnmodifiableMap(BuiltInBackend::name, b -> b));
    }

    @Override
    public Optional<LeaseBackend> resolve(String backendName) {
        BuiltInBackend own = builtIn.get(backendName);
        if (own != null) {
            return Optional.of(own);
        }
        Optional<BackendConfig> config = config(backendName).filter(c -> PostgresBackend.TYPE.equals(c.type()));
        if (config.isEmpty()) {
            return Optional.empty();
        }
        Live current = live.compute(backendName, (name, existing) -> {
            if (existing != null && existing.config().equals(config.get())) {
                return existing;
            }
            if (existing != null) {
                existing.backend().close();
            }
            return new Live(config.get(), new PostgresBackend(config.get(), role -> role(name, role), vault.id()));
        });
        return Optional.of(current.backend());
    }

    /** Names no configured backend may take. */
    java.util.Set<String> reservedNames() {
        return builtIn.keySet();
    }

    Optional<BackendConfig> config(String backendName) {
        return documents.get(Keys.of("backend", backendName), BackendConfig.class);
    }

    Optional<RoleConfig> role(String backendName, String roleName) {
        return documents.get(Keys.of("role", backendName, roleName), RoleConfig.class);
    }

    @PreDestroy
    void close() {
        live.values().forEach(l -> l.backend().close());
        live.clear();
    }
}
