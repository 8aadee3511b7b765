package dev.ephemera.server.support;

import dev.ephemera.legacy.postgres.PostgresQuoting;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own database on the one PostgreSQL server its JVM shares, as a {@link TestPostgres}
 * whose {@code jdbcUrl} names that database. The server starts the first time a class asks and stops
 * when the test run ends. Roles are the server's, not a database's: those the class created are
 * dropped with its database, so the next class starts from the same roles (classes run one at a time).
 * Register as a static field with {@code @RegisterExtension}; the class's static {@code TestPostgres}
 * fields are set before the class's own {@code @BeforeAll} methods.
 */
public final class PostgresDatabase implements BeforeAllCallback, AfterAllCallback {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestPostgres postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = open(context);
        inject(context.getRequiredTestClass(), TestPostgres.class, postgres);
    }

    /** A database of its own for {@code context}'s class, dropped (with the roles made meanwhile) when closed. */
    static TestPostgres open(ExtensionContext context) throws SQLException {
        TestPostgres server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedServer.class, key -> new SharedServer(TestPostgres.start()), SharedServer.class)
                .postgres();
        String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String database = "t" + NEXT.incrementAndGet() + "_" + name.substring(0, Math.min(name.length(), 40));
        Set<String> rolesBefore = roles(server);
        server.execute("CREATE DATABASE " + database);
        return server.inDatabase(database, () -> drop(server, database, rolesBefore));
    }

    public TestPostgres postgres() {
        return postgres;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        postgres.close();
    }

    private static void drop(TestPostgres server, String database, Set<String> rolesBefore) throws SQLException {
        server.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        Set<String> made = roles(server);
        made.removeAll(rolesBefore);
        try (Connection admin = server.admin(); Statement statement = admin.createStatement()) {
            for (String role : made) {
                String quoted = PostgresQuoting.identifier(role);
                // Its sessions would hold it; whatever it owns in the server's own database goes too.
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = " + PostgresQuoting.literal(role));
                statement.execute("DROP OWNED BY " + quoted);
                statement.execute("DROP ROLE IF EXISTS " + quoted);
            }
        }
    }

    private static Set<String> roles(TestPostgres server) throws SQLException {
        Set<String> roles = new HashSet<>();
        try (Connection admin = server.admin(); ResultSet rows = admin.createStatement().executeQuery("SELECT rolname FROM pg_roles")) {
            while (rows.next()) {
                roles.add(rows.getString(1));
            }
        }
        return roles;
    }

    /** Sets {@code testClass}'s (and its superclasses') static non-final fields of {@code type}. */
    static <T> void inject(Class<?> testClass, Class<T> type, T value) throws IllegalAccessException {
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (field.getType() == type && Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers)) {
                    field.setAccessible(true);
                    field.set(null, value);
                }
            }
        }
    }

    /** The JVM's one server, stopped by JUnit when the run ends. */
    private record SharedServer(TestPostgres postgres) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            postgres.close();
        }
    }
}
