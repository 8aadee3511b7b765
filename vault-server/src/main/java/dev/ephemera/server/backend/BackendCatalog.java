package dev.ephemera.server.backend;

import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.legacy.rotation.LdapAccountDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.server.api.ApiException;
import dev.ephemera.server.api.Names;
import dev.ephemera.server.api.TtlBounds;
import dev.ephemera.server.backend.postgres.PostgresBackend;
import dev.ephemera.server.backend.postgres.SqlTemplate;
import dev.ephemera.server.core.Documents;
import dev.ephemera.server.escrow.RotationDrivers;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/** Admin configuration of backends and their roles, validated before anything is stored. */
@Singleton
public final class BackendCatalog {
    private static final TtlBounds DEFAULTS = new TtlBounds(Duration.ofHours(1), Duration.ofHours(24));

    private final Documents documents;
    private final BackendRegistry registry;
    private final InstantSource clock;

    BackendCatalog(Documents documents, BackendRegistry registry, InstantSource clock) {
        this.documents = documents;
        this.registry = registry;
        this.clock = clock;
    }

    public BackendConfig configure(String name, String type, String connectionUrl, String username, String password,
                                   String passwordMode, boolean verify) {
        Names.require("backend name", name);
        if (registry.reservedNames().contains(name)) {
            throw ApiException.invalid("backend name " + name + " is reserved for the vault's built-in backend");
        }
        boolean ldap = RotationDrivers.LDAP_TYPE.equals(type);
        if (!PostgresBackend.TYPE.equals(type) && !ldap) {
            throw ApiException.invalid("type must be \"" + PostgresBackend.TYPE + "\" or \"" + RotationDrivers.LDAP_TYPE
                    + "\" (LDAP backends rotate escrowed accounts; they issue no leases)");
        }
        if (connectionUrl == null || !(ldap ? connectionUrl.startsWith("ldap://") || connectionUrl.startsWith("ldaps://")
                : connectionUrl.startsWith("jdbc:postgresql://"))) {
            throw ApiException.invalid("connection_url must start with " + (ldap ? "ldap:// or ldaps://" : "jdbc:postgresql://"));
        }
        if (connectionUrl.contains("password=") || connectionUrl.contains("@")) {
            throw ApiException.invalid("connection_url must not carry credentials; use username and password");
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw ApiException.invalid("username and password of the backend's admin account are required");
        }
        String mode = ldap ? RotationDrivers.ldapPasswordMode(passwordMode) : null;
        if (!ldap && passwordMode != null) {
            throw ApiException.invalid("password_mode applies to ldap backends only");
        }
        BackendConfig config = new BackendConfig(name, type, connectionUrl, username, password, clock.instant(), mode);
        if (verify) {
            try {
                if (ldap) {
                    new LdapAccountDriver(connectionUrl, username, password, RotationDrivers.ldapMode(mode)).verifyAdmin();
                } else {
                    PostgresBackend.verify(config);
                }
            } catch (BackendException | RotationException e) {
                throw ApiException.invalid(e.getMessage());
            }
        }
        documents.put(Keys.of("backend", name), config);
        return config;
    }

    public Optional<BackendConfig> find(String name) {
        return registry.config(Names.require("backend name", name));
    }

    public List<BackendConfig> list() {
        return documents.list(Keys.prefix("backend"), BackendConfig.class);
    }

    public RoleConfig configureRole(String backend, String name, List<String> creation, List<String> renew,
                                    List<String> revocation, Duration defaultTtl, Duration maxTtl) {
        Names.require("role name", name);
        BackendConfig owner = find(backend).orElseThrow(() -> ApiException.notFound("no backend named '" + backend + "'"));
        if (!PostgresBackend.TYPE.equals(owner.type())) {
            throw ApiException.invalid("backend " + backend + " is " + owner.type() + ": it rotates escrowed accounts and has no roles");
        }
        if (creation == null || creation.isEmpty()) {
            throw ApiException.invalid("creation_statements are required");
        }
        validate("creation_statements", creation, true);
        validate("renew_statements", renew, false);
        validate("revocation_statements", revocation, false);
        TtlBounds ttl = TtlBounds.of(defaultTtl, maxTtl, DEFAULTS);
        RoleConfig role = new RoleConfig(backend, name, List.copyOf(creation), nullToEmpty(renew),
                nullToEmpty(revocation), ttl.defaultTtl(), ttl.maxTtl());
        documents.put(Keys.of("role", backend, name), role);
        return role;
    }

    /** The role, or a 404 saying which does not exist: the backend itself, or the role on it. */
    public RoleConfig requireRole(String backend, String name) {
        return role(backend, name).orElseThrow(() -> find(backend).isEmpty()
                ? ApiException.notFound("backend '" + backend + "' does not exist")
                : ApiException.notFound("no role '" + name + "' on backend '" + backend + "'"));
    }

    public Optional<RoleConfig> role(String backend, String name) {
        return registry.role(Names.require("backend", backend), Names.require("role", name));
    }

    private static void validate(String field, List<String> statements, boolean needsPassword) {
        if (statements == null) {
            return;
        }
        try {
            SqlTemplate.parseAll(statements);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field + ": " + e.getMessage());
        }
        if (needsPassword && statements.stream().noneMatch(s -> s.contains("{{password}}"))) {
            throw ApiException.invalid(field + " must set the role's password with {{password}}");
        }
    }

    private static List<String> nullToEmpty(List<String> statements) {
        return statements == null ? List.of() : List.copyOf(statements);
    }
}
