package dev.ephemera.server.dev;

import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.storage.PrivateDirectory;
import dev.ephemera.legacy.postgres.PostgresQuoting;
import dev.ephemera.server.EphemeraServer;
import dev.ephemera.server.domain.agent.AgentLifecycle;
import dev.ephemera.server.domain.agent.AgentRegistry;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.auth.IssuerTenants;
import dev.ephemera.server.domain.auth.WorkloadTokens;
import dev.ephemera.server.domain.backend.BackendCatalog;
import dev.ephemera.server.domain.policy.TenantPolicies;
import dev.ephemera.server.domain.proxy.ProxyServers;
import java.io.IOException;
import java.net.URI;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `ephemera server --dev`: a vault on a throwaway (or given) data directory, initialised and
 * unsealed with a key kept beside the data, with a dev workload issuer, a demo agent and, on
 * request, a real PostgreSQL with a `demo` backend — everything a newcomer needs to lease a
 * credential in the next minute. Never for production: the unseal key sits next to the data.
 */
public final class DevServer implements AutoCloseable {
    public static final String TENANT = "default";
    public static final String DEMO_AGENT = "demo-agent";
    public static final String DEMO_SUBJECT = "spiffe://ephemera.dev/demo-agent";
    /** Login roles of the demo database (plain identifiers) for escrow, pairs and check-out. */
    static final List<String> DEMO_ACCOUNTS = List.of("billing", "svc_1", "svc_2");

    private final EphemeraServer server;
    private final LocalPostgres postgres;

    private DevServer(EphemeraServer server, LocalPostgres postgres) {
        this.server = server;
        this.postgres = postgres;
    }

    public static DevServer start(Path dataDir, String host, int port, boolean demoPostgres, PrintStream out) {
        return start(dataDir, host, port, demoPostgres, out, Optional.empty());
    }

    /**
     * As {@link #start(Path, String, int, boolean, PrintStream)}, also copying {@code dev.env} to
     * {@code latestEnv} (the command line's {@code ~/.ephemera/dev.env}): one path that always names
     * the dev server started last, whichever temporary directory it runs on.
     */
    public static DevServer start(Path dataDir, String host, int port, boolean demoPostgres, PrintStream out,
            Optional<Path> latestEnv) {
        try {
            PrivateDirectory.secure(dataDir);
            Path keyFile = dataDir.resolve("unseal.key");
            if (!Files.exists(keyFile)) {
                try (UnsealKey key = UnsealKey.generate()) {
                    writePrivate(keyFile, key.toBase64());
                }
            }
            LocalPostgres postgres = null;
            if (demoPostgres) {
                out.println("Starting the embedded PostgreSQL for the demo backend...");
                postgres = LocalPostgres.startOrResume(dataDir.resolve("postgres"));
            }
            EphemeraServer server;
            try {
                // The proxies listen beside the API: 8201 (HTTP) and 8202 (PostgreSQL) for the default 8200.
                server = EphemeraServer.start(dataDir, keyFile, host, port, Map.of(
                        "ephemera.proxy.host", host,
                        "ephemera.proxy.http.port", port == 0 ? 0 : port + 1,
                        "ephemera.proxy.postgres.port", port == 0 ? 0 : port + 2));
            } catch (RuntimeException e) {
                if (postgres != null) {
                    postgres.close();
                }
                throw e;
            }
            DevServer dev = new DevServer(server, postgres);
            dev.bootstrap(dataDir, out, latestEnv);
            return dev;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the dev data directory " + dataDir, e);
        }
    }

    private void bootstrap(Path dataDir, PrintStream out, Optional<Path> latestEnv) throws IOException {
        String adminToken = server.bean(Tokens.class).reissueOperator("root", TENANT);
        DevIssuer issuer = DevIssuer.loadOrCreate(dataDir.resolve("dev-issuer.jwk"));
        server.bean(WorkloadTokens.class).configure(issuer.issuer());
        server.bean(IssuerTenants.class).claimUnassigned(DevIssuer.NAME, TENANT);
        server.bean(AgentRegistry.class).register(TENANT, DEMO_AGENT, new AgentRegistry.Registration("dev@localhost",
                "walkthrough agent of the dev server", DevIssuer.NAME, DEMO_SUBJECT, List.of(), null, null, null));
        server.bean(AgentLifecycle.class).activate(TENANT, DEMO_AGENT);
        TenantPolicies policies = server.bean(TenantPolicies.class);
        if (policies.currentVersion(TENANT).isEmpty()) {
            policies.upload(TENANT, starterPolicy(), "dev-server");
        }
        String workloadToken = issuer.mint(DEMO_SUBJECT, Duration.ofHours(1));
        if (postgres != null) {
            configureDemoBackend();
        }
        String address = server.address().toString();
        ProxyServers proxies = server.bean(ProxyServers.class);
        // The PostgreSQL proxy's certificate, for sslmode=verify-full sslrootcert=$EPHEMERA_PROXY_CA
        Path proxyCa = dataDir.resolve("proxy-ca.pem");
        String proxyCaLine = "";
        if (proxies.postgresAuthorityPem().isPresent()) {
            Files.writeString(proxyCa, proxies.postgresAuthorityPem().get());
            proxyCaLine = "export EPHEMERA_PROXY_CA=" + proxyCa + "\n";
        }
        // EPHEMERA_TOKEN is the token the `ephemera` command line reads.
        String env = """
                export EPHEMERA_ADDR=%s
                export EPHEMERA_ADMIN_TOKEN=%s
                export EPHEMERA_TOKEN=%s
                export EPHEMERA_WORKLOAD_TOKEN=%s
                %s""".formatted(address, adminToken, adminToken, workloadToken, proxyCaLine);
        Path envFile = dataDir.resolve("dev.env");
        writePrivate(envFile, env);
        if (latestEnv.isPresent()) {
            Files.createDirectories(latestEnv.get().getParent());
            writePrivate(latestEnv.get(), env);
            envFile = latestEnv.get();
        }
        out.printf("""

                Ephemera dev server is running. NOT FOR PRODUCTION: the unseal key is stored beside the data.

                  Address:        %s
                  Data directory: %s
                  Operator token: %s
                  Demo agent:     %s (workload identity %s, issuer "%s")
                  Policy:         starter Cedar policy (GET /v1/policies); default deny beyond it
                  Proxies:        HTTP %s, PostgreSQL %s (routes: PUT /v1/proxy/routes/{name})
                  Proxy CA:       %s (sslmode=verify-full sslrootcert=$EPHEMERA_PROXY_CA)
                %s
                Load the tokens into your shell (the workload token is valid for 1 hour; mint another with
                `./ephemera dev-token --data-dir %s`):

                  source %s

                Then open a task and lease a credential:

                  curl -s -X POST -H "Content-Type: application/json" \\
                       -H "Authorization: Bearer $EPHEMERA_WORKLOAD_TOKEN" \\
                       -d '{"objective":"count the inventory","ttl":"15m"}' $EPHEMERA_ADDR/v1/tasks

                Press Ctrl+C to stop.
                """, address, dataDir, adminToken, DEMO_AGENT, DEMO_SUBJECT, DevIssuer.NAME,
                proxies.httpAddress().orElse("off"), proxies.postgresAddress().orElse("off"),
                proxyCaLine.isEmpty() ? "none (the PostgreSQL proxy is off)" : proxyCa,
                postgres == null ? "" : "  Demo backend:   demo (embedded PostgreSQL on 127.0.0.1:" + postgres.port()
                        + "), role readonly; table inventory; accounts to escrow " + String.join(", ", DEMO_ACCOUNTS) + "\n",
                dataDir, envFile);
        out.flush();
    }

    private void configureDemoBackend() {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), LocalPostgres.SUPERUSER,
                postgres.superuserPassword()); Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS inventory (sku text PRIMARY KEY, name text NOT NULL, quantity int NOT NULL);
                    INSERT INTO inventory VALUES ('A-100', 'bolts', 1200), ('A-200', 'nuts', 800), ('B-300', 'washers', 0)
                      ON CONFLICT DO NOTHING;
                    """);
            // Accounts for the README's escrow and check-out examples: no password until the vault takes them over.
            for (String account : DEMO_ACCOUNTS) {
                try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                    exists.setString(1, account);
                    try (ResultSet rows = exists.executeQuery()) {
                        if (!rows.next()) {
                            statement.execute("CREATE ROLE " + PostgresQuoting.identifier(account) + " LOGIN");
                        }
                    }
                }
                statement.execute("GRANT SELECT ON inventory TO " + PostgresQuoting.identifier(account));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the demo table: " + e.getMessage(), e);
        }
        BackendCatalog catalog = server.bean(BackendCatalog.class);
        catalog.configure("demo", "postgresql", postgres.jdbcUrl(), LocalPostgres.SUPERUSER, postgres.superuserPassword(), null, true);
        catalog.configureRole("demo", "readonly", List.of(
                        "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}",
                        "GRANT USAGE ON SCHEMA public TO {{name}}",
                        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}}"),
                List.of(), List.of(), Duration.ofMinutes(15), Duration.ofHours(1));
    }

    private static String starterPolicy() throws IOException {
        try (var in = DevServer.class.getResourceAsStream("/policy/dev-starter.cedar")) {
            if (in == null) {
                throw new IOException("missing /policy/dev-starter.cedar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    public URI address() {
        return server.address();
    }

    public EphemeraServer server() {
        return server;
    }

    /** Owner-only, and whole or not at all: a reader never sees a half-written file. */
    private static void writePrivate(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        server.close();
        if (postgres != null) {
            postgres.close();
        }
    }
}
