package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ephemera.server.support.DevServerProcess;
import dev.ephemera.server.support.Eventually;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ephemera server --dev --demo-postgres} killed with {@code kill -9} leaves its PostgreSQL
 * running; started again on the same data directory it takes that database over, recovers the
 * lease and can still revoke it.
 */
// Not on the shared test PostgreSQL: the dev server's own demo PostgreSQL is what this class tests.
class DevServerRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;
    @TempDir
    Path home;

    @Test
    void aDevServerKilledWithItsDemoPostgresRunningRestartsAndRevokesWhatItLeased() throws Exception {
        String taskToken;
        String leaseId;
        String role;
        try (DevServerProcess first = DevServerProcess.start(dataDir, home, "first")) {
            JsonNode task = call("POST", first.env("EPHEMERA_ADDR") + "/v1/tasks", first.env("EPHEMERA_WORKLOAD_TOKEN"),
                    "{\"objective\":\"count the inventory\",\"ttl\":\"15m\"}", 201);
            taskToken = task.path("task_token").asText();
            JsonNode lease = call("POST", first.env("EPHEMERA_ADDR") + "/v1/leases", taskToken,
                    "{\"backend\":\"demo\",\"role\":\"readonly\",\"ttl\":\"10m\"}", 201);
            leaseId = lease.path("lease_id").asText();
            role = lease.path("credential").path("username").asText();
            assertThat(roleExists(role)).as("the leased role exists").isTrue();
            first.kill();
        }
        long orphan = postmasterPid().orElseThrow(() -> new AssertionError("no postmaster.pid after kill -9"));
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive))
                .as("kill -9 leaves the demo PostgreSQL running (the case to recover from)").contains(true);

        try (DevServerProcess second = DevServerProcess.start(dataDir, home, "second")) {
            String address = second.env("EPHEMERA_ADDR");
            String admin = second.env("EPHEMERA_ADMIN_TOKEN");
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the orphan was stopped").isNotEqualTo(Optional.of(true));
            assertThat(call("GET", address + "/v1/leases/" + leaseId, admin, null, 200).path("state").asText())
                    .as("the lease is recovered").isEqualTo("active");
            assertThat(roleExists(role)).as("the same database, with the role of the recovered lease").isTrue();

            call("POST", address + "/v1/tasks/self/end", taskToken, null, 200);
            Eventually.within(Duration.ofSeconds(60), "the task's lease is revoked and its role dropped", () ->
                    !roleExists(role) && "revoked".equals(call("GET", address + "/v1/leases/" + leaseId, admin, null, 200)
                            .path("state").asText()));
        }
        assertThat(postmasterPid()).as("a normal stop stops the demo PostgreSQL").isEmpty();
    }

    /** Should the test fail half-way: no PostgreSQL outlives it. */
    @AfterEach
    void stopLeftoverPostgres() throws Exception {
        postmasterPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroy);
    }

    private Optional<Long> postmasterPid() throws Exception {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    }

    /** Asked as the demo PostgreSQL's superuser, with the port and password the dev server keeps for it. */
    private boolean roleExists(String role) throws Exception {
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(dataDir.resolve("postgres").resolve("ephemera-local-postgres.properties"))) {
            settings.load(in);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + settings.getProperty("port") + "/postgres";
        try (Connection c = DriverManager.getConnection(url, "postgres", settings.getProperty("superuser-password"));
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, role);
            try (ResultSet rows = q.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new AssertionError("cannot ask the demo PostgreSQL: " + e.getMessage(), e);
        }
    }

    private JsonNode call(String method, String url, String token, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isEqualTo(expected);
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
