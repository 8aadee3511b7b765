package dev.ephemera.server.support;

import dev.ephemera.server.dev.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL fixture: a Testcontainers server where a Docker engine answers, the embedded
 * binaries otherwise. Both are real PostgreSQL with password authentication. A test class normally
 * gets a database of its own on the server its JVM shares ({@link PostgresDatabase}); {@link #start()}
 * is for the few that change the server itself.
 */
public final class TestPostgres implements AutoCloseable {
    private final String jdbcUrl;
    private final String adminUser;
    private final String adminPassword;
    private final AutoCloseable server;
    /** Servers this JVM started, printed so that a build's log shows how many it paid for. */
    private static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger();

    private TestPostgres(String jdbcUrl, String adminUser, String adminPassword, AutoCloseable server) {
        this.jdbcUrl = jdbcUrl;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.server = server;
    }

    /** The same server as seen from another of its databases, closed by {@code closer}. */
    TestPostgres inDatabase(String database, AutoCloseable closer) {
        String url = jdbcUrl.replaceFirst("(//[^/]+/)[^?]*", "$1" + database);
        return new TestPostgres(url, adminUser, adminPassword, closer);
    }

    /** A server of the caller's own, stopped by {@link #close()}. */
    public static TestPostgres start() {
        System.out.println("TestPostgres: PostgreSQL server #" + STARTED.incrementAndGet() + " of this test JVM starting");
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            return new TestPostgres(container.getJdbcUrl(), container.getUsername(), container.getPassword(), container::stop);
        }
        try {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ephemera-pg-");
            LocalPostgres postgres = LocalPostgres.start(dir);
            return new TestPostgres(postgres.jdbcUrl(), LocalPostgres.SUPERUSER, postgres.superuserPassword(), postgres);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String adminUser() {
        return adminUser;
    }

    public String adminPassword() {
        return adminPassword;
    }

    public int port() {
        return java.net.URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    /** The same database reached through another port (a failure-injecting proxy). */
    public String jdbcUrlThroughPort(int port) {
        return jdbcUrl.replace(":" + port() + "/", ":" + port + "/");
    }

    public Connection admin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, adminUser, adminPassword);
    }

    public boolean roleExists(String role) throws SQLException {
        try (Connection c = admin(); PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, role);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Whether {@code role} can log in with {@code password} right now. */
    public boolean canLogIn(String role, String password) {
        try (Connection ignored = DriverManager.getConnection(jdbcUrl, role, password)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** A login role for rotation tests; the password may hold no quote (it is written as a literal). */
    public void createLoginRole(String role, String password) throws SQLException {
        if (!role.matches("[a-z_][a-z0-9_]{0,62}") || !password.matches("[A-Za-z0-9._~-]+")) {
            throw new IllegalArgumentException("test roles are plain identifiers and passwords hold no quote");
        }
        execute("CREATE ROLE " + role + " WITH LOGIN PASSWORD '" + password + "'");
    }

    /** The single number a query such as {@code SELECT count(*) …} answers. */
    public long count(String sql) throws SQLException {
        try (Connection c = admin(); ResultSet rows = c.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = admin(); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
