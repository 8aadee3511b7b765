package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.client.PostgresCredential;
import dev.ephemera.client.Task;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Revoke-by-scope through the HTTP API against real PostgreSQL roles. */
class BulkRevocationTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @BeforeAll
    static void start() {
        vault.configurePostgres("pg2", postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
    }

    @Test
    void revokesEveryLeaseOfABackendThenEveryLeaseOfAnOwnersAgents() throws Exception {
        List<String> onPg = new ArrayList<>();
        List<String> onPg2 = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Task task = vault.client().startTask("bulk " + t, Duration.ofMinutes(10));
            for (int i = 0; i < 3; i++) {
                onPg.add(task.lease("pg", "readonly").credential(PostgresCredential.class).username());
            }
            onPg2.add(task.lease("pg2", "readonly").credential(PostgresCredential.class).username());
        }

        JsonNode job = vault.call("POST", "/v1/revocations", vault.adminToken(), Map.of("backend", "pg")).expect(202).json();
        assertThat(job.path("scope").asText()).isEqualTo("backend=pg");
        String id = job.path("bulk_id").asText();
        Eventually.within(Duration.ofSeconds(15), "bulk revocation done", () -> progress(id).path("done").asBoolean());
        JsonNode done = progress(id);
        assertThat(done.path("matched").asInt()).isEqualTo(6);
        assertThat(done.path("revoked").asInt()).isEqualTo(6);
        assertThat(done.path("scanned").asInt()).isEqualTo(8);
        for (String role : onPg) {
            assertThat(postgres.roleExists(role)).as("role %s dropped", role).isFalse();
        }
        for (String role : onPg2) {
            assertThat(postgres.roleExists(role)).as("role %s of the other backend kept", role).isTrue();
        }

        JsonNode byOwner = vault.call("POST", "/v1/revocations", vault.adminToken(),
                Map.of("owner", "ALICE@example.com")).expect(202).json();
        assertThat(byOwner.path("scope").asText()).isEqualTo("owner=ALICE@example.com (1 agents)");
        String ownerJob = byOwner.path("bulk_id").asText();
        Eventually.within(Duration.ofSeconds(15), "owner revocation done", () -> progress(ownerJob).path("done").asBoolean());
        assertThat(progress(ownerJob).path("matched").asInt()).isEqualTo(2);
        for (String role : onPg2) {
            assertThat(postgres.roleExists(role)).isFalse();
        }
    }

    @Test
    void aScopeIsRequiredAndJobsAreOnlyKnownToAdmins() {
        TestVault.Response empty = vault.call("POST", "/v1/revocations", vault.adminToken(), Map.of());
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().path("message").asText()).contains("\"all\": true");
        assertThat(vault.call("POST", "/v1/revocations", vault.adminToken(), Map.of("role", "Bad Name")).status())
                .isEqualTo(400);
        assertThat(vault.call("POST", "/v1/revocations", null, Map.of("backend", "pg")).status()).isEqualTo(401);
        assertThat(vault.call("GET", "/v1/revocations/bulk_nope", vault.adminToken(), null).status()).isEqualTo(404);
    }

    private static JsonNode progress(String id) {
        return vault.call("GET", "/v1/revocations/" + id, vault.adminToken(), null).expect(200).json();
    }
}
