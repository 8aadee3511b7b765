package dev.ephemera.server.domain.backend;

import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.legacy.rotation.LdapAccountDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.core.TtlBounds;
import dev.ephemera.server.domain.backend.PostgresBackend;
import dev.ephemera.server.domain.backend.SqlTemplate;
import dev.ephemera.server.domain.core.Documents;
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
            throw DomainException.invalid("backend name " + name + " is reserved for the vault's built-in backend");
        }
        boolean ldap = LdapBackend.TYPE.equals(type);
        if (!PostgresBackend.TYPE.equals(type) && !ldap) {
            throw DomainException.invalid("type must be \"" + PostgresBackend.TYPE + "\" or \"" + LdapBackend.TYPE
                    + "\" (LDAP backends rotate escrowed accounts; they issue no leases)");
        }
        if (connectionUrl == null || !(ldap ? connectionUrl.startsWith("ldap://") || connectionUrl.startsWith("ldaps://")
                : connectionUrl.startsWith("jdbc:postgresql://"))) {
            throw DomainException.invalid("connection_url must start with " + (ldap ? "ldap:// or ldaps://" : "jdbc:postgresql://"));
        }
        if (connectionUrl.contains("password=") || connectionUrl.contains("@")) {
            throw DomainException.invalid("connection_url must not carry credentials; use username and password");
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw DomainException.invalid("username and password of the backend's admin account are required");
        }
        String mode = ldap ? LdapBackend.passwordMode(passwordMode) : null;
        if (!ldap && passwordMode != null) {
            throw DomainException.invalid("password_mode applies to ldap backends only");
        }
        BackendConfig config = new BackendConfig(name, type, connectionUrl, username, password, clock.instant(), mode);
        if (verify) {
            try {
                if (ldap) {
                    new LdapAccountDriver(connectionUrl, username, password, LdapBackend.mode(mode)).verifyAdmin();
                } else {
                    PostgresBackend.verify(config);
                }
            } catch (BackendException | RotationException e) {
                throw DomainException.invalid(e.getMessage());
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
        BackendConfig owner = find(backend).orElseThrow(() -> DomainException.notFound("no backend named '" + backend + "'"));
        if (!PostgresBackend.TYPE.equals(owner.type())) {
            throw DomainException.invalid("backend " + backend + " is " + owner.type() + ": it rotates escrowed accounts and has no roles");
        }
        if (creation == null || creation.isEmpty()) {
            throw DomainException.invalid("creation_statements are required");
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
                ? DomainException.notFound("backend '" + backend + "' does not exist")
                : DomainException.notFound("no role '" + name + "' on backend '" + backend + "'"));
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
            throw DomainException.invalid(field + ": " + e.getMessage());
        }
        if (needsPassword && statements.stream().noneMatch(s -> s.contains("{{password}}"))) {
            throw DomainException.invalid(field + " must set the role's password with {{password}}");
        }
    }

    private static List<String> nullToEmpty(List<String> statements) {
        return statements == null ? List.of() : List.copyOf(statements);
    }
}
