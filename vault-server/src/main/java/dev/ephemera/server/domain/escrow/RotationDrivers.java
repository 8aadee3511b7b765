package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.rotation.LdapAccountDriver;
import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import dev.ephemera.legacy.rotation.RotationDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.backend.BackendConfig;
import dev.ephemera.server.domain.backend.LdapBackend;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds the driver an escrowed secret is rotated by: the backend it names (its stored admin
 * connection, PostgreSQL or LDAP), or {@link #MANUAL} for a credential only an admin can change
 * (an API key issued by a vendor). Reads backend configuration directly, not through the lease
 * backend registry, which itself reaches the escrow for check-out leases.
 */
@Singleton
public final class RotationDrivers implements Function<String, RotationDriver> {
    public static final String MANUAL = "manual";
    public static final String POSTGRES_TYPE = "postgresql";

    private static final RotationDriver MANUAL_DRIVER = new RotationDriver() {
        @Override
        public void apply(Map<String, String> target, String newPassword) throws RotationException {
            throw new RotationException("a manual secret is changed by an admin setting its value, not rotated by the vault");
        }

        @Override
        public boolean accepts(Map<String, String> target, String password) {
            return false; // nothing to ask: an interrupted change keeps the version the admin last confirmed
        }
    };

    private final Documents documents;

    RotationDrivers(Documents documents) {
        this.documents = documents;
    }

    /** The driver, or null when the backend is gone or of a type that cannot rotate accounts. */
    @Override
    public RotationDriver apply(String name) {
        if (MANUAL.equals(name)) {
            return MANUAL_DRIVER;
        }
        BackendConfig config = documents.get(Keys.of("backend", name), BackendConfig.class).orElse(null);
        if (config == null) {
            return null;
        }
        return switch (config.type()) {
            case POSTGRES_TYPE -> new PostgresStaticRoleDriver(config.connectionUrl(), config.username(), config.password());
            case LdapBackend.TYPE -> ldap(config);
            default -> null;
        };
    }

    private static RotationDriver ldap(BackendConfig config) {
        try {
            return new LdapAccountDriver(config.connectionUrl(), config.username(), config.password(),
                    LdapBackend.mode(config.passwordMode()));
        } catch (RotationException e) {
            return null;
        }
    }
}
