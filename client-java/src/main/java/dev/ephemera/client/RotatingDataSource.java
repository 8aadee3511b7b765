package dev.ephemera.client;

import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that logs in with the latest version of an escrowed database account, as
 * a {@link SecretWatcher} knows it. Each {@link #getConnection()} opens a new physical connection
 * through {@link DriverManager}; hand it to a pool rather than to the application.
 *
 * <p>A rotation can race a login: the database already has the new password while the watcher
 * still holds the old one. A login refused with SQLSTATE {@code 28P01} (invalid password) or
 * {@code 28000} (invalid authorization) therefore waits up to the rotation wait for a newer
 * version and tries once more with it, so the race never surfaces to the pool.
 *
 * <p>With HikariCP (this library does not depend on it):
 * <pre>{@code
 * SecretWatcher watcher = Ephemera.consumer(vaultAddress, consumerToken).watch("orders-db");
 * RotatingDataSource rotating = new RotatingDataSource("jdbc:postgresql://db:5432/orders", watcher);
 * HikariConfig config = new HikariConfig();
 * config.setDataSource(rotating);          // no username or password on the pool itself
 * HikariDataSource pool = new HikariDataSource(config);
 * rotating.onRotation(version -> pool.getHikariPoolMXBean().softEvictConnections());
 * }</pre>
 * PostgreSQL keeps open sessions when a role's password changes, so pooled connections go on
 * working after a rotation and only new ones need the new password. Soft eviction is optional:
 * it replaces idle connections at once and busy ones when they are returned, for databases that
 * end sessions on a password change, or to stop using sessions opened with a retired password.
 */
public final class RotatingDataSource implements DataSource {

    private static final System.Logger LOG = System.getLogger(RotatingDataSource.class.getName());
    static final Duration DEFAULT_ROTATION_WAIT = Duration.ofSeconds(5);
    /** invalid_password and invalid_authorization_specification: what a login with a retired password gets. */
    private static final Set<String> LOGIN_REFUSED = Set.of("28P01", "28000");
    /** sqlclient_unable_to_establish_sqlconnection: no credential to log in with. */
    private static final String NO_CREDENTIAL = "08001";

    private final String jdbcUrl;
    private final Properties properties;
    private final SecretWatcher watcher;
    private final Duration rotationWait;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeout;

    /** Logs in at {@code jdbcUrl} with the watched secret's username and value; a failed login waits up to 5 s for a rotation. */
    public RotatingDataSource(String jdbcUrl, SecretWatcher watcher) {
        this(jdbcUrl, new Properties(), watcher, DEFAULT_ROTATION_WAIT);
    }

    /**
     * @param properties   further driver properties (SSL, timeouts...); {@code user} and
     *                     {@code password} are always those of the secret
     * @param rotationWait how long a refused login waits for a newer version before it fails
     */
    public RotatingDataSource(String jdbcUrl, Properties properties, SecretWatcher watcher, Duration rotationWait) {
        Args.requireText(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            // Not echoed: a JDBC URL may carry a password.
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:");
        }
        this.jdbcUrl = jdbcUrl;
        this.properties = (Properties) Objects.requireNonNull(properties, "properties must not be null").clone();
        this.watcher = Objects.requireNonNull(watcher, "watcher must not be null");
        this.rotationWait = Args.positive(rotationWait, "rotationWait");
    }

    /**
     * Calls {@code callback} on the watcher's thread after each rotation, once this data source
     * logs in with the new version, e.g. to soft-evict a pool's connections. The version known
     * when the callback is added is not a rotation and is not reported.
     */
    public RotatingDataSource onRotation(Consumer<? super SecretVersion> callback) {
        Objects.requireNonNull(callback, "callback must not be null");
        AtomicInteger seen = new AtomicInteger();
        watcher.addListener(version -> {
            if (seen.getAndSet(version.version()) != 0) {
                callback.accept(version);
            }
        });
        return this;
    }

    @Override
    public Connection getConnection() throws SQLException {
        SecretVersion version = current();
        try {
            return connect(version);
        } catch (SQLException refused) {
            if (!isLoginRefused(refused)) {
                throw refused;
            }
            Optional<SecretVersion> newer;
            try {
                newer = watcher.awaitVersionAfter(version.version(), rotationWait);
            } catch (EphemeraException | IllegalStateException stopped) {
                refused.addSuppressed(stopped);
                throw refused;
            }
            if (newer.isEmpty()) {
                throw refused;
            }
            LOG.log(Level.INFO, "login as {0} refused with version {1} of secret {2} (SQLSTATE {3}); retrying with version {4}",
                    version.username(), version.version(), version.id(), refused.getSQLState(), newer.get().version());
            return connect(newer.get());
        }
    }

    /** Refused: the credentials come from the vault, so a pool must not be given any. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("RotatingDataSource logs in with the escrowed secret of "
                + watcher.secretId() + "; configure the pool without a username and password");
    }

    private SecretVersion current() throws SQLException {
        try {
            return watcher.current();
        } catch (EphemeraException | IllegalStateException e) {
            throw new SQLException("no credential for secret " + watcher.secretId() + " from Ephemera: " + e.getMessage(),
                    NO_CREDENTIAL, e);
        }
    }

    private Connection connect(SecretVersion version) throws SQLException {
        if (version.username() == null) {
            throw new SQLException("secret " + version.id() + " names no account to log in as", NO_CREDENTIAL);
        }
        Properties login = new Properties();
        login.putAll(properties);
        login.setProperty("user", version.username());
        login.setProperty("password", version.value());
        return DriverManager.getConnection(jdbcUrl, login);
    }

    private static boolean isLoginRefused(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && LOGIN_REFUSED.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /**
     * Kept for callers that read it back; the driver's own properties bound a login (PostgreSQL:
     * {@code loginTimeout}, {@code connectTimeout}), since {@link DriverManager}'s is JVM-wide.
     */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("RotatingDataSource logs through System.Logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("RotatingDataSource does not wrap a " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "RotatingDataSource[secretId=" + watcher.secretId() + "]"; // the URL may carry a password
    }
}
