package dev.ephemera.server.domain.backend;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.lease.backend.LeaseBackend;
import dev.ephemera.lease.backend.RevokeTarget;
import dev.ephemera.legacy.postgres.PostgresQuoting;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Leases PostgreSQL login roles: each lease is a fresh role with a random name and password, valid
 * until the lease expires, dropped (with its live sessions terminated) at revocation.
 */
public final class PostgresBackend implements LeaseBackend, AutoCloseable {
    public static final String TYPE = "postgresql";
    static final List<String> DEFAULT_RENEW = List.of("ALTER ROLE {{name}} VALID UNTIL {{expiration}}");
    /**
     * Terminating sessions first means a revoked credential cannot keep a connection it opened earlier;
     * waiting (up to 5 s, PostgreSQL 14+) until each has exited means none of their statements can
     * still commit once the role is dropped and the lease recorded revoked.
     */
    static final List<String> DEFAULT_REVOCATION = List.of(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = {{name_literal}}",
            "DROP OWNED BY {{name}}",
            "DROP ROLE IF EXISTS {{name}}");
    private static final int CONNECT_TIMEOUT_SECONDS = 3;

    /** Every role a lease creates carries this comment, then the vault's id and the lease's: its mark. */
    static final String MARK = "ephemera-lease ";
    private static final String MARKED_ROLES = "SELECT oid::bigint, rolname, shobj_description(oid, 'pg_authid') FROM pg_roles"
            + " WHERE left(shobj_description(oid, 'pg_authid'), ?) = ? AND oid::bigint > ? ORDER BY oid LIMIT ?";

    private final BackendConfig config;
    private final Function<String, Optional<RoleConfig>> roles;
    private final String vaultId;
    private final HikariDataSource pool;

    /** A role this vault created for a lease, found in the database by its mark. */
    public record MarkedRole(long oid, String username, String leaseId) {}

    public PostgresBackend(BackendConfig config, Function<String, Optional<RoleConfig>> roles, String vaultId) {
        this.config = config;
        this.roles = roles;
        this.vaultId = vaultId;
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("ephemera-backend-" + config.name());
        hikari.setJdbcUrl(config.connectionUrl());
        hikari.setUsername(config.username());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(0);
        hikari.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS * 1000L);
        hikari.setIdleTimeout(60_000);
        // The backend may be down when the vault starts; that must not stop the vault.
        hikari.setInitializationFailTimeout(-1);
        hikari.setDataSourceProperties(driverProperties());
        this.pool = new HikariDataSource(hikari);
    }

    /** Connects once with the given credentials, so a typo is reported when the backend is configured. */
    public static void verify(BackendConfig config) throws BackendException {
        Properties properties = driverProperties();
        properties.setProperty("user", config.username());
        properties.setProperty("password", config.password());
        try (Connection connection = DriverManager.getConnection(config.connectionUrl(), properties);
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        } catch (SQLException e) {
            throw failure(config, "cannot connect", e, List.of(config.password()));
        }
    }

    @Override
    public Map<String, String> prepare(IssueRequest request) {
        String rolePart = request.role().replaceAll("[^a-z0-9_]", "_");
        String prefix = "eph_" + rolePart.substring(0, Math.min(rolePart.length(), 16)) + "_";
        return Map.of("username", SecretGenerator.username(prefix, 48));
    }

    @Override
    public Credential issue(IssueRequest request, Map<String, String> handle) throws BackendException {
        RoleConfig role = roles.apply(request.role()).orElseThrow(
                () -> new BackendException("role '" + request.role() + "' is not configured on backend '" + config.name() + "'", false));
        String username = handle.get("username");
        String password = SecretGenerator.password(32);
        Map<String, String> values = Map.of("name", username, "password", password, "expiration", timestamp(request.expiresAt()));
        // The mark is committed with the role, so no role of a lease ever exists unmarked.
        execute("create the role", role.creationStatements(), values, List.of(password),
                "COMMENT ON ROLE " + PostgresQuoting.identifier(username) + " IS "
                        + PostgresQuoting.literal(MARK + vaultId + " " + request.leaseId()));
        Map<String, String> fields = new HashMap<>();
        fields.put("username", username);
        fields.put("password", password);
        fields.put("jdbc_url", config.connectionUrl());
        return new Credential(TYPE, fields);
    }

    @Override
    public void renew(String role, Map<String, String> handle, Instant expiresAt) throws BackendException {
        List<String> statements = roles.apply(role).map(RoleConfig::renewStatements)
                .filter(s -> s != null && !s.isEmpty()).orElse(DEFAULT_RENEW);
        execute("renew the role", statements, Map.of("name", handle.get("username"), "expiration", timestamp(expiresAt)), List.of());
    }

    @Override
    public void revoke(String role, Map<String, String> handle) throws BackendException {
        String username = handle.get("username");
        if (!roleExists(username)) {
            return;
        }
        execute("drop the role", revocationStatements(role), Map.of("name", username), List.of());
    }

    /**
     * Drops many roles in one transaction (sessions terminated first, as one by one). Roles already
     * gone are skipped. If the transaction fails, each role is retried on its own, so one bad role
     * cannot hold back the others and its own error is the one recorded.
     */
    @Override
    public Map<String, BackendException> revokeAll(List<RevokeTarget> targets) {
        if (targets.size() <= 1) {
            return LeaseBackend.super.revokeAll(targets);
        }
        try {
            boolean committed = CatalogConflicts.retry(config.name(), "drop " + targets.size() + " roles", () -> {
                try (Connection connection = pool.getConnection()) {
                    Set<String> existing = existingRoles(connection, targets);
                    List<String> rendered = new ArrayList<>();
                    for (RevokeTarget target : targets) {
                        String username = target.handle().get("username");
                        if (existing.contains(username)) {
                            SqlTemplate.parseAll(revocationStatements(target.role()))
                                    .forEach(t -> rendered.add(t.render(Map.of("name", username))));
                        }
                    }
                    try {
                        inTransaction(connection, rendered);
                        return true;
                    } catch (SQLException e) {
                        if (CatalogConflicts.conflict(e) != null) {
                            throw e;
                        }
                        return false; // one role's statements failed the batch
                    }
                }
            });
            if (committed) {
                return Map.of();
            }
        } catch (SQLException e) {
            BackendException down = failure(config, "cannot drop the roles", e, List.of());
            Map<String, BackendException> all = new LinkedHashMap<>();
            targets.forEach(target -> all.put(target.leaseId(), down));
            return all;
        } catch (IllegalArgumentException badTemplate) {
            // A role's statements do not render: fall through so that only its own leases fail.
        }
        return LeaseBackend.super.revokeAll(targets);
    }

    private List<String> revocationStatements(String role) {
        return roles.apply(role).map(RoleConfig::revocationStatements).filter(st -> st != null && !st.isEmpty())
                .orElse(DEFAULT_REVOCATION);
    }

    private static Set<String> existingRoles(Connection connection, List<RevokeTarget> targets) throws SQLException {
        String[] names = targets.stream().map(t -> t.handle().get("username")).toArray(String[]::new);
        Set<String> existing = new HashSet<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT rolname FROM pg_roles WHERE rolname = ANY(?)")) {
            query.setArray(1, connection.createArrayOf("text", names));
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getString(1));
                }
            }
        }
        return existing;
    }

    private boolean roleExists(String username) throws BackendException {
        try (Connection connection = pool.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, username);
            try (var rows = query.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw failure(config, "cannot look up the role", e, List.of());
        }
    }

    /** Runs the statements (then {@code also}) in one transaction: a role is either fully created or not at all. */
    private void execute(String what, List<String> statements, Map<String, String> values, List<String> secrets,
                         String... also) throws BackendException {
        List<String> rendered = new ArrayList<>();
        try {
            SqlTemplate.parseAll(statements).forEach(t -> rendered.add(t.render(values)));
            rendered.addAll(List.of(also));
        } catch (IllegalArgumentException e) {
            throw new BackendException("cannot " + what + ": " + e.getMessage(), false);
        }
        try {
            CatalogConflicts.retry(config.name(), what, () -> {
                try (Connection connection = pool.getConnection()) {
                    inTransaction(connection, rendered);
                    return null;
                }
            });
        } catch (SQLException e) {
            throw failure(config, "cannot " + what, e, secrets);
        }
    }

    /** Up to {@code limit} roles carrying this vault's mark, in oid order after {@code afterOid}. */
    public List<MarkedRole> markedRoles(long afterOid, int limit) throws BackendException {
        String prefix = MARK + vaultId + " ";
        List<MarkedRole> found = new ArrayList<>();
        try (Connection connection = pool.getConnection();
             PreparedStatement query = connection.prepareStatement(MARKED_ROLES)) {
            query.setInt(1, prefix.length());
            query.setString(2, prefix);
            query.setLong(3, afterOid);
            query.setInt(4, limit);
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(new MarkedRole(rows.getLong(1), rows.getString(2), rows.getString(3).substring(prefix.length())));
                }
            }
        } catch (SQLException e) {
            throw failure(config, "cannot list the vault's roles", e, List.of());
        }
        return found;
    }

    /** Removes a role no live lease owns, as a revocation with the default statements would. */
    public void dropOrphan(String username) throws BackendException {
        execute("drop the orphaned role", DEFAULT_REVOCATION, Map.of("name", username), List.of());
    }

    /** Statements rendered by {@link SqlTemplate}: their quoted values are read as written only with standard strings. */
    private static void inTransaction(Connection connection, List<String> statements) throws SQLException {
        PostgresQuoting.requireStandardStrings(connection);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }

    private static BackendException failure(BackendConfig config, String what, SQLException e, List<String> secrets) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                detail = detail.replace(secret, "[redacted]");
            }
        }
        String state = e.getSQLState();
        boolean retryable = e instanceof SQLTransientException
                || (state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")));
        return new BackendException("PostgreSQL backend '" + config.name() + "': " + what + ": " + detail
                + (state == null ? "" : " (SQLSTATE " + state + ")"), retryable);
    }

    private static Properties driverProperties() {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", "30");
        properties.setProperty("ApplicationName", "ephemera");
        return properties;
    }

    private static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        pool.close();
    }
}
