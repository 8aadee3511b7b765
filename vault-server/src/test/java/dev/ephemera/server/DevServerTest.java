package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.client.Ephemera;
import dev.ephemera.client.PostgresCredential;
import dev.ephemera.client.Task;
import dev.ephemera.server.dev.DevServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first minute: a dev server with the demo PostgreSQL, used as a newcomer would. */
// Not on the shared test PostgreSQL: the dev server's own demo PostgreSQL is what this class tests.
class DevServerTest {
    @TempDir
    Path dataDir;

    @Test
    void aNewcomerLeasesADemoCredentialAndReadsTheInventory() throws Exception {
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        try (DevServer dev = DevServer.start(dataDir, "127.0.0.1", 0, true, new PrintStream(banner, true, StandardCharsets.UTF_8))) {
            Map<String, String> env = Files.readAllLines(dataDir.resolve("dev.env")).stream()
                    .map(line -> line.replaceFirst("^export ", "").split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
            assertThat(banner.toString(StandardCharsets.UTF_8))
                    .contains(dev.address().toString()).contains(env.get("EPHEMERA_ADMIN_TOKEN")).contains("Demo backend")
                    .contains("Proxy CA:       " + env.get("EPHEMERA_PROXY_CA"));
            // the PostgreSQL proxy's certificate, for sslmode=verify-full sslrootcert=$EPHEMERA_PROXY_CA
            assertThat(Files.readString(Path.of(env.get("EPHEMERA_PROXY_CA")))).startsWith("-----BEGIN CERTIFICATE-----");

            Ephemera ephemera = Ephemera.builder().address(java.net.URI.create(env.get("EPHEMERA_ADDR")))
                    .workloadToken(() -> env.get("EPHEMERA_WORKLOAD_TOKEN")).build();
            try (Task task = ephemera.startTask("count the inventory", Duration.ofMinutes(5))) {
                PostgresCredential credential = task.lease("demo", "readonly").credential(PostgresCredential.class);
                try (Connection connection = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password());
                     ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM inventory")) {
                    rows.next();
                    assertThat(rows.getInt(1)).isEqualTo(3);
                }
            }
        }
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("unseal.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void aRestartOnTheSameDataDirectoryPrintsAFreshOperatorTokenForTheSameRoot() throws Exception {
        String first;
        try (DevServer dev = DevServer.start(dataDir, "127.0.0.1", 0, false, new PrintStream(new ByteArrayOutputStream()))) {
            first = env().get("EPHEMERA_ADMIN_TOKEN");
        }
        try (DevServer dev = DevServer.start(dataDir, "127.0.0.1", 0, false, new PrintStream(new ByteArrayOutputStream()))) {
            String second = env().get("EPHEMERA_ADMIN_TOKEN");
            assertThat(second).isNotEqualTo(first);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (String[] token : new String[][] {{first, "401"}, {second, "200"}}) {
                java.net.http.HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(
                                dev.address().resolve("/v1/sys/metrics")).header("Authorization", "Bearer " + token[0]).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(Integer.parseInt(token[1]));
            }
        }
    }

    private Map<String, String> env() throws Exception {
        return Files.readAllLines(dataDir.resolve("dev.env")).stream()
                .map(line -> line.replaceFirst("^export ", "").split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    }

    /** Taking over a killed server's PostgreSQL must never stop the PostgreSQL of a server still running. */
    @Test
    void aSecondDevServerOnTheSameDirectoryLeavesTheRunningOnesPostgresAlone() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (DevServer dev = DevServer.start(dataDir, "127.0.0.1", 0, true, quiet)) {
            assertThatThrownBy(() -> DevServer.start(dataDir, "127.0.0.1", 0, true, quiet))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("still running");
            String workloadToken = Files.readAllLines(dataDir.resolve("dev.env")).stream()
                    .filter(line -> line.startsWith("export EPHEMERA_WORKLOAD_TOKEN=")).findFirst().orElseThrow().split("=", 2)[1];
            Ephemera ephemera = Ephemera.builder().address(dev.address()).workloadToken(() -> workloadToken).build();
            try (Task task = ephemera.startTask("count the inventory", Duration.ofMinutes(5))) {
                PostgresCredential credential = task.lease("demo", "readonly").credential(PostgresCredential.class);
                try (Connection connection = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password())) {
                    assertThat(connection.isValid(5)).as("the first server's PostgreSQL still serves").isTrue();
                }
            }
        }
    }
}
