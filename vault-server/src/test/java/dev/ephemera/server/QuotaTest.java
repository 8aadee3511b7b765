package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Live lease limits and request rates answer 429 with the scope and a reason, count a metric, create nothing. */
class QuotaTest {
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @Test
    void aLeaseBeyondTheTasksLimitIs429AndCreatesNoCredential(@TempDir Path dir) throws Exception {
        try (TestVault vault = TestVault.start(dir, Map.of("ephemera.quota.live-leases-per-task", 2))) {
            vault.configurePostgres("pg", postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
            String task = startTask(vault).expect(201).json().get("task_token").asText();
            String first = lease(vault, task).expect(201).json().get("lease_id").asText();
            lease(vault, task).expect(201);

            Response refused = lease(vault, task).expect(429);

            assertThat(refused.json().get("error").asText()).isEqualTo("quota_exceeded");
            assertThat(refused.json().get("message").asText()).contains("already holds 2 live leases");
            assertThat(vault.call("GET", "/v1/leases?state=active", vault.adminToken(), null).json().get("leases")).hasSize(2);
            assertThat(vault.call("GET", "/v1/sys/metrics", vault.adminToken(), null).body())
                    .contains("ephemera_leases_quota_refused_total 1.0");

            vault.call("POST", "/v1/leases/" + first + "/revoke", task, null).expect(200);
            lease(vault, task).expect(201);
        }
    }

    @Test
    void requestsAboveAnAgentsRateAre429WithWhenToRetry(@TempDir Path dir) {
        try (TestVault vault = TestVault.start(dir, Map.of("ephemera.quota.requests-per-second-per-agent", 1))) {
            startTask(vault).expect(201);
            startTask(vault).expect(201); // the burst holds two

            Response refused = startTask(vault).expect(429);

            assertThat(refused.json().get("error").asText()).isEqualTo("rate_limited");
            assertThat(refused.json().get("message").asText()).contains("agent " + TestVault.AGENT).contains("retry in");
            assertThat(vault.call("GET", "/v1/sys/metrics", vault.adminToken(), null).body())
                    .contains("ephemera_requests_rate_limited_total{scope=\"agent\"} 1.0");
        }
    }

    private static Response startTask(TestVault vault) {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "quota check"));
    }

    private static Response lease(TestVault vault, String task) {
        return vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "readonly", "ttl", "5m"));
    }
}
