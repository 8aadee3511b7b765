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
 * A test class's real PostgreSQL and vault, the PostgreSQL configured as backend {@code pg}: started
 * before the class's own {@code @BeforeAll} methods, stopped and removed after its tests. Register it
 * as a static field with {@code @RegisterExtension}.
 */
public final class PostgresVault implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Object> overrides;
    private Path dataDir;
    private TestPostgres postgres;
    private TestVault vault;

    public PostgresVault() {
        this(Map.of());
    }

    /** With configuration overrides for the vault, as {@link TestVault#start(Path, Map)} takes them. */
    public PostgresVault(Map<String, Object> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("ephemera-test-");
        postgres = TestPostgres.start();
        vault = TestVault.start(dataDir, overrides);
        vault.configurePostgres("pg", postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
    }

    public TestPostgres postgres() {
        return postgres;
    }

    public TestVault vault() {
        return vault;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try (TestPostgres closingPostgres = postgres; TestVault closingVault = vault) {
            // closed in reverse order: the vault first, then its PostgreSQL
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
