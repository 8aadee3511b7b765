package dev.ephemera.server.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's real vault on a temporary data directory, with or without a PostgreSQL database of
 * its own on the JVM's shared server (see {@link PostgresDatabase}), configured as backend {@code pg}
 * with role {@code readonly}. Started before the class's own {@code @BeforeAll} methods, which find the
 * class's static {@code TestVault} and {@code TestPostgres} fields set; stopped and removed after its
 * tests. Register it as a static field with {@code @RegisterExtension}; the class states only what
 * differs: its configuration overrides and whether it needs PostgreSQL.
 */
public final class VaultFixture implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Object> overrides;
    private final boolean withPostgres;
    private Path dataDir;
    private TestPostgres postgres;
    private TestVault vault;

    private VaultFixture(Map<String, Object> overrides, boolean withPostgres) {
        this.overrides = Map.copyOf(overrides);
        this.withPostgres = withPostgres;
    }

    public static VaultFixture withPostgres() {
        return withPostgres(Map.of());
    }

    /** With configuration overrides for the vault, as {@link TestVault#start(Path, Map)} takes them. */
    public static VaultFixture withPostgres(Map<String, Object> overrides) {
        return new VaultFixture(overrides, true);
    }

    public static VaultFixture withoutPostgres() {
        return withoutPostgres(Map.of());
    }

    public static VaultFixture withoutPostgres(Map<String, Object> overrides) {
        return new VaultFixture(overrides, false);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("ephemera-test-");
        if (withPostgres) {
            postgres = PostgresDatabase.open(context);
        }
        vault = TestVault.start(dataDir, overrides);
        if (withPostgres) {
            vault.configurePostgres("pg", postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
            PostgresDatabase.inject(context.getRequiredTestClass(), TestPostgres.class, postgres);
        }
        PostgresDatabase.inject(context.getRequiredTestClass(), TestVault.class, vault);
    }

    /** The class's PostgreSQL database; null when the fixture was made without one. */
    public TestPostgres postgres() {
        return postgres;
    }

    public TestVault vault() {
        return vault;
    }

    /** The vault's data directory (its unseal key file, its stores). */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try (TestPostgres closingPostgres = postgres; TestVault closingVault = vault) {
            // closed in reverse order: the vault first, then its PostgreSQL database
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
