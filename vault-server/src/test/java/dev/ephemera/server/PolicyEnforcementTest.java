package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cedar policy decides every task start, lease and renewal at request time, through the real server
 * against real PostgreSQL: default deny, the task's intent in the context, changes effective on the
 * next request, rollback, tenant isolation, and every decision kept and queryable by task.
 */
class PolicyEnforcementTest {
    private static final String START_ANY = """
            @id("start-any") permit(principal, action == Ephemera::Action::"StartTask", resource);
            """;

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @BeforeEach
    void allowAll() {
        vault.putPolicy(TestVault.ALLOW_ALL);
    }

    @Test
    void aTenantWithoutPolicyIsDeniedEverythingAndTheDenialIsKept() {
        String acmeAdmin = vault.server().bean(Tokens.class).issueAdmin("acme-admin", "acme");
        vault.call("PUT", "/v1/issuers/test/tenants/acme", vault.adminToken(), Map.of("subject_prefix", "spiffe://acme.example/"))
                .expect(200);
        vault.call("PUT", "/v1/agents/acme-bot", acmeAdmin, Map.of("owner", "carol@acme.example", "purpose", "acme reports",
                "issuer", "test", "subject", "spiffe://acme.example/bot")).expect(200);
        vault.call("POST", "/v1/agents/acme-bot/activate", acmeAdmin, null).expect(200);
        String token = vault.issuer().mint("spiffe://acme.example/bot", Duration.ofMinutes(5));

        Response refused = vault.call("POST", "/v1/tasks", token, Map.of("objective", "monthly report")).expect(403);

        assertThat(refused.json().get("error").asText()).isEqualTo("policy_denied");
        assertThat(refused.json().get("message").asText()).contains("tenant acme has no policy set").contains("dec_");
        // The default tenant's allow-all does not reach another tenant, nor can acme's admin read it.
        vault.call("GET", "/v1/policies", acmeAdmin, null).expect(404);
    }

    @Test
    void leaseIsDecidedOnTheTasksDeclaredToolsAndSensitivity() {
        vault.putPolicy(START_ANY + """
                @id("sql-tasks-read") permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role)
                when { resource.name == "readonly" && context.tools.contains("sql") };
                @id("never-restricted") forbid(principal, action, resource is Ephemera::Role)
                when { context.sensitivity == "restricted" };
                """);

        Task withSql = startTask(Map.of("objective", "sum orders", "tools", List.of("sql")));
        Task withoutSql = startTask(Map.of("objective", "sum orders", "tools", List.of("browser")));
        Task restricted = startTask(Map.of("objective", "sum orders", "tools", List.of("sql"), "sensitivity", "restricted"));

        lease(withSql).expect(201);
        int live = liveLeaseCount();
        Response noTool = lease(withoutSql).expect(403);
        assertThat(noTool.json().get("message").asText()).contains("no policy permits Lease");
        Response forbidden = lease(restricted).expect(403);
        assertThat(forbidden.json().get("message").asText()).contains("forbidden by policy never-restricted");
        assertThat(liveLeaseCount()).as("no lease was granted for a denied request").isEqualTo(live);
    }

    @Test
    void aPolicyChangeTakesEffectOnTheNextRequestAndRollbackRestoresIt() {
        int permissive = vault.putPolicy(START_ANY + """
                @id("lease-readonly") permit(principal, action in [Ephemera::Action::"Lease", Ephemera::Action::"Renew"], resource);
                """).json().get("version").asInt();
        Task task = startTask(Map.of("objective", "watch stock", "tools", List.of("sql")));
        lease(task).expect(201);

        Response tightened = vault.putPolicy(START_ANY + """
                @id("lease-readonly") permit(principal, action in [Ephemera::Action::"Lease", Ephemera::Action::"Renew"], resource);
                @id("freeze") forbid(principal, action == Ephemera::Action::"Lease", resource);
                """);
        assertThat(tightened.json().get("version").asInt()).isEqualTo(permissive + 1);
        assertThat(lease(task).expect(403).json().get("message").asText()).contains("forbidden by policy freeze");

        Response rolledBack = vault.call("POST", "/v1/policies/rollback", vault.adminToken(), Map.of("version", permissive)).expect(200);
        assertThat(rolledBack.json().get("version").asInt()).isEqualTo(permissive + 2);
        assertThat(rolledBack.json().get("rollback_of").asInt()).isEqualTo(permissive);
        lease(task).expect(201);
    }

    @Test
    void renewalIsDecidedOnTheIncrementAskedFor() {
        vault.putPolicy(START_ANY + """
                @id("lease") permit(principal, action == Ephemera::Action::"Lease", resource);
                @id("short-renewals") permit(principal, action == Ephemera::Action::"Renew", resource)
                when { context.ttl_seconds <= 600 };
                """);
        Task task = startTask(Map.of("objective", "long read"));
        String leaseId = lease(task).expect(201).json().get("lease_id").asText();

        vault.call("POST", "/v1/leases/" + leaseId + "/renew", task.token, Map.of("increment", "5m")).expect(200);
        Response tooLong = vault.call("POST", "/v1/leases/" + leaseId + "/renew", task.token, Map.of("increment", "1h")).expect(403);
        assertThat(tooLong.json().get("message").asText()).contains("no policy permits Renew");
    }

    @Test
    void everyDecisionIsKeptWithItsAgentOwnerTaskPoliciesAndIntent() {
        vault.putPolicy(START_ANY + """
                @id("read-only") permit(principal, action == Ephemera::Action::"Lease", resource)
                when { resource.name == "readonly" };
                @id("not-at-night") forbid(principal, action == Ephemera::Action::"Lease", resource)
                when { context.ttl_seconds > 3000 };
                """);
        Task task = startTask(Map.of("objective", "reconcile invoices", "tools", List.of("sql", "ledger"), "sensitivity", "confidential"));
        lease(task).expect(201);
        vault.call("POST", "/v1/leases", task.token, Map.of("backend", "pg", "role", "readonly", "ttl", "55m")).expect(403);

        JsonNode decisions = vault.call("GET", "/v1/tasks/" + task.id + "/decisions", vault.adminToken(), null)
                .expect(200).json().get("decisions");
        assertThat(decisions).hasSize(3);
        List<String> summary = new ArrayList<>();
        decisions.forEach(d -> summary.add(d.get("action").asText() + ":" + d.get("outcome").asText() + ":" + d.get("policy_ids")));
        assertThat(summary).containsExactly("StartTask:permit:[\"start-any\"]", "Lease:permit:[\"read-only\"]",
                "Lease:deny:[\"not-at-night\"]");
        JsonNode lease = decisions.get(1);
        assertThat(lease.get("agent_id").asText()).isEqualTo(TestVault.AGENT);
        assertThat(lease.get("owner").asText()).isEqualTo("alice@example.com");
        assertThat(lease.get("task_id").asText()).isEqualTo(task.id);
        assertThat(lease.get("actor_chain").toString()).isEqualTo("[\"" + TestVault.AGENT + "\"]");
        assertThat(lease.get("resource").asText()).isEqualTo("role pg/readonly");
        assertThat(lease.get("objective").asText()).isEqualTo("reconcile invoices");
        assertThat(lease.get("tools").toString()).isEqualTo("[\"sql\",\"ledger\"]");
        assertThat(lease.get("sensitivity").asText()).isEqualTo("confidential");
        assertThat(lease.get("source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(lease.get("policy_version").asInt()).isPositive();

        // The task sees its own decisions; another tenant's admin cannot learn the task exists.
        assertThat(vault.call("GET", "/v1/tasks/self/decisions", task.token, null).expect(200).json().get("decisions")).hasSize(3);
        String otherAdmin = vault.server().bean(Tokens.class).issueAdmin("intruder", "other-tenant");
        vault.call("GET", "/v1/tasks/" + task.id + "/decisions", otherAdmin, null).expect(404);
    }

    @Test
    void policyWeighsTheAgentsTrustLevelAsAnAdminSetIt() {
        vault.putPolicy(TestVault.ALLOW_ALL + """
                @id("trusted-only") forbid(principal, action == Ephemera::Action::"Lease", resource) when { principal.trust_level < 2 };
                """);
        Task task = startTask(Map.of("objective", "trust"));
        assertThat(lease(task).expect(403).json().get("message").asText()).contains("forbidden by policy trusted-only");

        Map<String, Object> registration = new java.util.HashMap<>(Map.of("owner", "alice@example.com", "purpose", "integration tests",
                "issuer", "test", "subject", TestVault.AGENT_SUBJECT));
        registration.put("trust_level", 7);
        vault.call("PUT", "/v1/agents/" + TestVault.AGENT, vault.adminToken(), registration).expect(400);
        registration.put("trust_level", 2);
        vault.call("PUT", "/v1/agents/" + TestVault.AGENT, vault.adminToken(), registration).expect(200);
        try {
            lease(task).expect(201);
        } finally {
            registration.put("trust_level", 1);
            vault.call("PUT", "/v1/agents/" + TestVault.AGENT, vault.adminToken(), registration).expect(200);
        }
    }

    @Test
    void decisionsSurviveARestart() {
        Task task = startTask(Map.of("objective", "survive"));
        lease(task).expect(201);
        vault.restart();
        JsonNode decisions = vault.call("GET", "/v1/tasks/" + task.id + "/decisions", vault.adminToken(), null)
                .expect(200).json().get("decisions");
        assertThat(decisions).hasSize(2);
        assertThat(decisions.get(1).get("policy_ids").toString()).isEqualTo("[\"test-allow-all\"]");
    }

    private record Task(String id, String token) {}

    private static Task startTask(Map<String, Object> body) {
        JsonNode task = vault.call("POST", "/v1/tasks", vault.workloadToken(), body).expect(201).json();
        return new Task(task.get("task_id").asText(), task.get("task_token").asText());
    }

    private static Response lease(Task task) {
        return vault.call("POST", "/v1/leases", task.token, Map.of("backend", "pg", "role", "readonly", "ttl", "2m"));
    }

    private static int liveLeaseCount() {
        return vault.call("GET", "/v1/leases?state=active", vault.adminToken(), null).expect(200).json().get("leases").size();
    }
}
