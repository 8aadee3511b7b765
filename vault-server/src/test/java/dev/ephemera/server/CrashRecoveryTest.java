package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault process is killed (SIGKILL) while agents lease concurrently, then restarted on the same
 * data directory: once every TTL has passed, no role it created is left in PostgreSQL, and every lease
 * an agent was handed is on record as revoked.
 */
class CrashRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    private static final Duration LEASE_TTL = Duration.ofSeconds(4);

    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @TempDir
    Path dataDir;
    Process vault;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (vault != null) {
            vault.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aVaultKilledUnderLoadRevokesEveryLeaseOnceItIsBack() throws Exception {
        Map<String, String> env = startVault();
        String admin = env.get("EPHEMERA_ADMIN_TOKEN");
        URI address = URI.create(env.get("EPHEMERA_ADDR"));
        call(address, "PUT", "/v1/backends/pg", admin, Map.of("type", "postgresql", "connection_url", postgres.jdbcUrl(),
                "username", postgres.adminUser(), "password", postgres.adminPassword()));
        call(address, "PUT", "/v1/backends/pg/roles/reader", admin, Map.of(
                "creation_statements", List.of("CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}",
                        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}}"),
                "default_ttl", "1m", "max_ttl", "1h"));
        String task = call(address, "POST", "/v1/tasks", env.get("EPHEMERA_WORKLOAD_TOKEN"),
                Map.of("objective", "lease through a crash", "ttl", "15m")).get("task_token").asText();

        Set<String> handedOut = ConcurrentHashMap.newKeySet();
        AtomicBoolean leasing = new AtomicBoolean(true);
        try (ExecutorService agents = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                agents.execute(() -> {
                    while (leasing.get()) {
                        try {
                            JsonNode lease = call(address, "POST", "/v1/leases", task,
                                    Map.of("backend", "pg", "role", "reader", "ttl", LEASE_TTL.toSeconds() + "s"));
                            handedOut.add(lease.get("lease_id").asText());
                        } catch (IOException | RuntimeException refusedOrKilled) {
                            // after the kill every call fails; the loop ends with the flag
                        }
                    }
                });
            }
            Eventually.within(Duration.ofSeconds(60), "leases handed out under load", () -> handedOut.size() >= 30);
            vault.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, nothing flushed
            leasing.set(false);
        }
        List<String> leftBehind = vaultRoles();
        assertThat(leftBehind).as("roles the killed vault left, to be revoked after its restart").isNotEmpty();
        System.out.printf("crash test: %d leases handed out before the kill, %d roles left by the killed vault%n",
                handedOut.size(), leftBehind.size());

        env = startVault();
        URI restarted = URI.create(env.get("EPHEMERA_ADDR"));
        String operator = env.get("EPHEMERA_ADMIN_TOKEN");
        Eventually.within(Duration.ofSeconds(90), "every role of the vault dropped once its TTL passed", () -> vaultRoles().isEmpty());

        for (String leaseId : handedOut) {
            assertThat(call(restarted, "GET", "/v1/leases/" + leaseId, operator, null).get("state").asText())
                    .as("lease " + leaseId).isEqualTo("revoked");
        }
        for (String state : List.of("active", "revoking", "irrevocable")) {
            assertThat(call(restarted, "GET", "/v1/leases?state=" + state, operator, null).toString())
                    .as("leases still " + state).doesNotContain("lease_");
        }
    }

    /** Starts `ephemera server --dev` on the data directory in its own JVM; answers its dev.env once written. */
    private Map<String, String> startVault() throws Exception {
        Path devEnv = dataDir.resolve("dev.env");
        Files.deleteIfExists(devEnv);
        String java = ProcessHandle.current().info().command().orElse("java");
        vault = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.ephemera.server.cli.EphemeraCli",
                "server", "--dev", "--data-dir", dataDir.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())
                .start();
        Eventually.within(Duration.ofSeconds(90), "the vault process writes dev.env", () -> {
            if (!vault.isAlive()) {
                throw new AssertionError("the vault process exited with " + vault.exitValue());
            }
            return Files.exists(devEnv) && Files.readString(devEnv).contains("EPHEMERA_WORKLOAD_TOKEN=");
        });
        return Files.readAllLines(devEnv).stream().map(line -> line.replaceFirst("^export ", "").split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    }

    private JsonNode call(URI address, String method, String path, String bearer, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", JSON_TYPE);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private List<String> vaultRoles() throws Exception {
        List<String> roles = new ArrayList<>();
        try (Connection c = postgres.admin();
             ResultSet rows = c.createStatement().executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'eph\\_%'")) {
            while (rows.next()) {
                roles.add(rows.getString(1));
            }
        }
        return roles;
    }
}
