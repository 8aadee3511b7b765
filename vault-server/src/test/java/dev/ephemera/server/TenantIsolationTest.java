package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two tenants on one vault: neither can read, lease, revoke or learn of the other's objects; only
 * operators change what tenants share. Each refusal leaves the other tenant's objects as they were.
 */
class TenantIsolationTest {
    private static final String BETA_SUBJECT = "spiffe://beta.example/bot";

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;
    static String betaAdmin;
    static String alphaTask;
    static String alphaLease;
    static String betaTask;

    @BeforeAll
    static void start() throws Exception {
        betaAdmin = vault.server().bean(Tokens.class).issueAdmin("beta-admin", "beta");
        vault.call("PUT", "/v1/issuers/test/tenants/beta", vault.adminToken(), Map.of("subject_prefix", "spiffe://beta.example/"))
                .expect(200);
        vault.call("PUT", "/v1/agents/test-agent", betaAdmin, Map.of("owner", "bob@beta.example", "purpose", "beta work",
                "issuer", "test", "subject", BETA_SUBJECT)).expect(200);
        vault.call("POST", "/v1/agents/test-agent/activate", betaAdmin, null).expect(200);
        vault.call("PUT", "/v1/policies", betaAdmin, Map.of("policies", TestVault.ALLOW_ALL)).expect(200);

        JsonNode alpha = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "alpha work")).expect(201).json();
        alphaTask = alpha.get("task_token").asText();
        alphaLease = vault.call("POST", "/v1/leases", alphaTask, Map.of("backend", "pg", "role", "readonly", "ttl", "10m"))
                .expect(201).json().get("lease_id").asText();
        betaTask = vault.call("POST", "/v1/tasks", vault.issuer().mint(BETA_SUBJECT, Duration.ofMinutes(5)),
                Map.of("objective", "beta work")).expect(201).json().get("task_token").asText();
    }

    @Test
    void anotherTenantsAdminCannotLookUpALease() {
        assertThat(vault.call("GET", "/v1/leases/" + alphaLease, betaAdmin, null).expect(404).body()).doesNotContain("alpha");
        assertAlphaLeaseActive();
    }

    @Test
    void anotherTenantsAdminCannotRevokeALease() {
        vault.call("POST", "/v1/leases/" + alphaLease + "/revoke", betaAdmin, null).expect(404);
        assertAlphaLeaseActive();
    }

    @Test
    void anotherTenantsAdminCannotForceRevokeALease() {
        vault.call("POST", "/v1/leases/" + alphaLease + "/force-revoke", betaAdmin, Map.of("reason", "mine now")).expect(404);
        assertAlphaLeaseActive();
    }

    @Test
    void anotherTenantsTaskCannotLookUpRenewOrRevokeALease() {
        vault.call("GET", "/v1/leases/" + alphaLease, betaTask, null).expect(404);
        vault.call("POST", "/v1/leases/" + alphaLease + "/renew", betaTask, Map.of("increment", "1h")).expect(404);
        vault.call("POST", "/v1/leases/" + alphaLease + "/revoke", betaTask, null).expect(404);
        assertAlphaLeaseActive();
    }

    @Test
    void aBulkRevocationOfAllReachesOnlyTheCallersTenant() throws Exception {
        String job = vault.call("POST", "/v1/revocations", betaAdmin, Map.of("all", true)).expect(202).json().get("bulk_id").asText();
        dev.ephemera.server.support.Eventually.within(Duration.ofSeconds(10), "beta's job done",
                () -> vault.call("GET", "/v1/revocations/" + job, betaAdmin, null).json().get("done").asBoolean());
        assertThat(vault.call("GET", "/v1/revocations/" + job, vault.adminToken(), null).status()).isEqualTo(404);
        assertAlphaLeaseActive();
    }

    @Test
    void anotherTenantsAdminDoesNotSeeOrOverwriteAnAgentOfTheSameName() {
        JsonNode alphaAgent = vault.call("GET", "/v1/agents/test-agent", vault.adminToken(), null).expect(200).json();
        JsonNode betaAgent = vault.call("GET", "/v1/agents/test-agent", betaAdmin, null).expect(200).json();
        assertThat(alphaAgent.get("owner").asText()).isEqualTo("alice@example.com");
        assertThat(betaAgent.get("owner").asText()).isEqualTo("bob@beta.example");
        vault.call("POST", "/v1/agents/test-agent/suspend", betaAdmin, Map.of("reason", "beta only")).expect(200);
        vault.call("POST", "/v1/agents/test-agent/activate", betaAdmin, null).expect(200);
        assertAlphaLeaseActive();
        assertThat(vault.call("GET", "/v1/agents/test-agent", vault.adminToken(), null).json().get("status").asText())
                .isEqualTo("active");
    }

    @Test
    void anotherTenantsAdminSeesNoneOfTheIrrevocableOrActiveLeases() {
        JsonNode leases = vault.call("GET", "/v1/leases?state=active", betaAdmin, null).expect(200).json().get("leases");
        leases.forEach(lease -> assertThat(lease.get("lease_id").asText()).isNotEqualTo(alphaLease));
    }

    @Test
    void onlyOperatorsChangeWhatTenantsShare() {
        Response backend = vault.call("PUT", "/v1/backends/pg", betaAdmin, Map.of("type", "postgresql",
                "connection_url", "jdbc:postgresql://evil.example/x", "username", "u", "password", "p"));
        assertThat(backend.expect(403).json().get("message").asText()).contains("operator");
        vault.call("PUT", "/v1/backends/pg/roles/readonly", betaAdmin, Map.of("creation_statements", java.util.List.of("SELECT 1"),
                "default_ttl", "5m", "max_ttl", "1h")).expect(403);
        vault.call("PUT", "/v1/issuers/test", betaAdmin, Map.of("issuer", "https://evil.example", "audience", "x",
                "jwks", Map.of("keys", java.util.List.of()), "algorithms", java.util.List.of("EdDSA"))).expect(403);
        // The shared backend still works for the tenant that uses it.
        vault.call("POST", "/v1/leases", alphaTask, Map.of("backend", "pg", "role", "readonly", "ttl", "1m")).expect(201);
    }

    @Test
    void onlyOperatorsIssueAdminTokensAndSeeMetricsAcrossTenants() {
        vault.call("POST", "/v1/sys/admin-tokens", betaAdmin, Map.of("name", "mallory", "tenant", "default")).expect(403);
        vault.call("GET", "/v1/sys/metrics", betaAdmin, null).expect(403);

        JsonNode issued = vault.call("POST", "/v1/sys/admin-tokens", vault.adminToken(), Map.of("name", "gina", "tenant", "gamma"))
                .expect(201).json();
        assertThat(issued.get("operator").asBoolean()).isFalse();
        String gamma = issued.get("token").asText();
        assertThat(vault.call("GET", "/v1/policies", gamma, null).expect(404).json().get("message").asText())
                .contains("no policy set yet");
        vault.call("GET", "/v1/leases/" + alphaLease, gamma, null).expect(404);
        vault.call("POST", "/v1/sys/admin-tokens", vault.adminToken(), Map.of("name", "Bad Name", "tenant", "gamma")).expect(400);
    }

    @Test
    void aNewVaultIssuesItsFirstOperatorTokenOnceOnly() {
        Tokens tokens = vault.server().bean(Tokens.class);
        String root = tokens.bootstrapOperator().orElseThrow();
        assertThat(tokens.bootstrapOperator()).isEmpty();
        vault.call("GET", "/v1/sys/metrics", root, null).expect(200);
    }

    @Test
    void noTenantBindsAWorkloadIdentityTheOperatorDidNotAssignIt() {
        Map<String, Object> squat = Map.of("owner", "bob@beta.example", "purpose", "squat", "issuer", "test",
                "subject", "spiffe://test.local/agents/nobody-bound-this-yet");
        assertThat(vault.call("PUT", "/v1/agents/squatter", betaAdmin, squat).expect(403).json().get("message").asText())
                .contains("not assigned to this tenant");
        // Nor the other way round: beta's subjects are beta's, bound or not.
        vault.call("PUT", "/v1/agents/squatter", vault.adminToken(), Map.of("owner", "ann@example.com", "purpose", "squat",
                "issuer", "test", "subject", "spiffe://beta.example/not-yet")).expect(403);
        vault.call("GET", "/v1/agents/squatter", betaAdmin, null).expect(404);
        vault.call("GET", "/v1/agents/squatter", vault.adminToken(), null).expect(404);

        // A tenant the operator assigns a prefix binds under it, and only under it.
        String gamma = vault.call("POST", "/v1/sys/admin-tokens", vault.adminToken(), Map.of("name", "gus", "tenant", "gamma-ids"))
                .expect(201).json().get("token").asText();
        Map<String, Object> gammaBot = Map.of("owner", "gus@gamma.example", "purpose", "gamma work", "issuer", "test",
                "subject", "spiffe://gamma.example/bot");
        vault.call("PUT", "/v1/agents/gamma-bot", gamma, gammaBot).expect(403);
        vault.call("PUT", "/v1/issuers/test/tenants/gamma-ids", betaAdmin, Map.of("subject_prefix", "spiffe://gamma.example/"))
                .expect(403);
        vault.call("PUT", "/v1/issuers/test/tenants/gamma-ids", vault.adminToken(), Map.of("subject_prefix", "spiffe://gamma.example"))
                .expect(400);
        vault.call("PUT", "/v1/issuers/test/tenants/gamma-ids", vault.adminToken(), Map.of("subject_prefix", "spiffe://gamma.example/"))
                .expect(200);
        vault.call("PUT", "/v1/agents/gamma-bot", gamma, gammaBot).expect(200);
        vault.call("POST", "/v1/agents/gamma-bot/activate", gamma, null).expect(200);
        vault.call("PUT", "/v1/agents/gamma-bot", betaAdmin, gammaBot).expect(403);

        // The operator cannot hand one prefix to two tenants, nor take an identity from the tenant whose agent holds it.
        vault.call("PUT", "/v1/issuers/test/tenants/beta", vault.adminToken(), Map.of("subject_prefix", "spiffe://gamma.example/"))
                .expect(409);
        assertThat(vault.call("PUT", "/v1/issuers/test/tenants/gamma-ids", vault.adminToken(),
                Map.of("subject_prefix", "spiffe://test.local/agents/")).expect(409).body()).contains("an agent of tenant default");
        vault.call("PUT", "/v1/issuers/nope/tenants/gamma-ids", vault.adminToken(), Map.of("subject_prefix", "x:")).expect(404);
        assertThat(vault.call("GET", "/v1/issuers/test/tenants", vault.adminToken(), null).expect(200).json().toString())
                .contains("\"tenant\":\"gamma-ids\"").contains("\"subject_prefix\":\"spiffe://gamma.example/\"");
    }

    @Test
    void anotherTenantsIdentityAnswersAsOneThatDoesNotExist() {
        // Bound by an agent of the default tenant, or unbound in its space (a prefix or the whole issuer): one answer.
        Response bound = vault.call("PUT", "/v1/agents/prober", betaAdmin, Map.of("owner", "bob@beta.example", "purpose", "probe",
                "issuer", "test", "subject", TestVault.AGENT_SUBJECT));
        Response unbound = vault.call("PUT", "/v1/agents/prober", betaAdmin, Map.of("owner", "bob@beta.example", "purpose", "probe",
                "issuer", "test", "subject", "spiffe://test.local/agents/unbound"));
        Response nowhere = vault.call("PUT", "/v1/agents/prober", betaAdmin, Map.of("owner", "bob@beta.example", "purpose", "probe",
                "issuer", "test", "subject", "spiffe://nowhere.example/x"));
        assertThat(bound.status()).isEqualTo(403);
        assertThat(bound).isEqualTo(unbound).isEqualTo(nowhere);
        // Within its own tenant an admin still learns which of its agents holds an identity.
        assertThat(vault.call("PUT", "/v1/agents/prober", vault.adminToken(), Map.of("owner", "ann@example.com", "purpose", "probe",
                "issuer", "test", "subject", TestVault.AGENT_SUBJECT)).expect(409).body()).contains("bound to agent " + TestVault.AGENT);
    }

    private static void assertAlphaLeaseActive() {
        assertThat(vault.call("GET", "/v1/leases/" + alphaLease, vault.adminToken(), null).expect(200).json().get("state").asText())
                .isEqualTo("active");
    }
}
