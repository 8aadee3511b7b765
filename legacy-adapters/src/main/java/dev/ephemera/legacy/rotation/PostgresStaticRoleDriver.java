package dev.ephemera.legacy.rotation;

import dev.ephemera.legacy.postgres.PostgresQuoting;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * Rotates a PostgreSQL role's password ({@code ALTER ROLE … PASSWORD}) with an admin connection.
 * The role name is a quoted identifier and the password a quoted literal ({@link PostgresQuoting}):
 * nothing reaches the SQL unquoted. Roles created with SCRAM password encryption keep it.
 */
public final class PostgresStaticRoleDriver implements RotationDriver {
    private final String jdbcUrl;
    private final String adminUser;
    private final String adminPassword;

    public PostgresStaticRoleDriver(String jdbcUrl, String adminUser, String adminPassword) {
        this.jdbcUrl = jdbcUrl;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    @Override
    public void apply(Map<String, String> target, String newPassword) throws RotationException {
        String role = role(target);
        String statement;
        try {
            statement = "ALTER ROLE " + PostgresQuoting.identifier(role) + " WITH PASSWORD " + PostgresQuoting.literal(newPassword);
        } catch (IllegalArgumentException e) {
            throw new RotationException("cannot set the password of PostgreSQL role " + role + ": " + e.getMessage(), e);
        }
        try (Connection admin = connect(adminUser, adminPassword); Statement alter = admin.createStatement()) {
            PostgresQuoting.requireStandardStrings(admin);
            alter.execute(statement);
        } catch (SQLException e) {
            throw new RotationException("cannot set the password of PostgreSQL role " + role + ": " + reason(e), e);
        }
    }

    @Override
    public boolean accepts(Map<String, String> target, String password) throws RotationException {
        String role = role(target);
        try (Connection ignored = connect(role, password)) {
            return true;
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState())) { // invalid_password
                return false;
            }
            throw new RotationException("cannot check the password of PostgreSQL role " + role + ": " + reason(e), e);
        }
    }

    @Override
    public boolean exists(Map<String, String> target) throws RotationException {
        String role = role(target);
        try (Connection admin = connect(adminUser, adminPassword);
             PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, role);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new RotationException("cannot look up PostgreSQL role " + role + ": " + reason(e), e);
        }
    }

    private Connection connect(String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private static String role(Map<String, String> target) throws RotationException {
        String role = target.get("role");
        if (role == null || role.isBlank()) {
            throw new RotationException("the target names no PostgreSQL role");
        }
        return role;
    }

    /** SQLSTATE and the server's words; a statement with a password is never part of a message. */
    private static String reason(SQLException e) {
        return "SQLSTATE " + e.getSQLState();
    }
}
