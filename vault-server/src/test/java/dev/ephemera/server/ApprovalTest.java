package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.ServerThreads;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Human-in-the-loop through the real server and PostgreSQL: a lease that policy permits only with
 * approval is held (202) without creating anything, approved by named admins under the policy's
 * rules (never the agent, not the owner when excluded, two distinct people for break-glass), then
 * taken once by the task that asked.
 */
class ApprovalTest {
    private static final String POLICIES = """
            @id("start") permit(principal, action == Ephemera::Action::"StartTask", resource);
            @id("read-with-approval") @approval("1")
            permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role) when { resource.name == "readonly" }
            unless { context.sensitivity == "restricted" };
            @id("break-glass") @approval("2") @approval_excludes_owner("true")
            permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role)
            when { resource.name == "readonly" && context.sensitivity == "restricted" };
            """;

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;
    static String owner;
    static String bob;
    static String carol;

    @BeforeAll
    static void start() throws Exception {
        vault.putPolicy(POLICIES);
        Tokens tokens = vault.server().bean(Tokens.class);
        owner = tokens.issueAdmin("alice@example.com", "default"); // the test agent's owner
        bob = tokens.issueAdmin("bob@example.com", "default");
        carol = tokens.issueAdmin("carol@example.com", "default");
    }

    @Test
    void aHeldLeaseCreatesNothingUntilApprovedAndIsTakenOnce() {
        String task = startTask("internal");
        int live = liveLeases();
        JsonNode held = lease(task, null).expect(202).json();
        assertThat(held.get("status").asText()).isEqualTo("pending");
        assertThat(held.get("required_approvals").asInt()).isEqualTo(1);
        assertThat(liveLeases()).isEqualTo(live);
        String id = held.get("approval_id").asText();

        assertThat(lease(task, id).expect(403).json().get("message").asText()).contains("is pending");
        vault.call("POST", "/v1/approvals/" + id + "/approve", task, Map.of("comment", "me")).expect(403);
        String agentNamedAdmin = vault.server().bean(Tokens.class).issueAdmin(TestVault.AGENT, "default");
        assertThat(vault.call("POST", "/v1/approvals/" + id + "/approve", agentNamedAdmin, null).expect(403).json()
                .get("message").asText()).contains("cannot approve its own request");
        JsonNode approved = vault.call("POST", "/v1/approvals/" + id + "/approve", bob, Map.of("comment", "ok for the audit"))
                .expect(200).json();
        assertThat(approved.get("status").asText()).isEqualTo("approved");
        assertThat(approved.get("votes").get(0).get("approver").asText()).isEqualTo("bob@example.com");

        lease(task, id).expect(201);
        assertThat(lease(task, id).expect(409).json().get("message").asText()).contains("already used");
    }

    @Test
    void theOwnerMayApproveWhenPolicyAllowsIt() {
        String task = startTask("internal");
        String id = lease(task, null).expect(202).json().get("approval_id").asText();
        vault.call("POST", "/v1/approvals/" + id + "/approve", owner, null).expect(200);
        lease(task, id).expect(201);
    }

    @Test
    void breakGlassNeedsTwoDistinctApproversAndNeverTheOwner() {
        String task = startTask("restricted");
        JsonNode held = lease(task, null).expect(202).json();
        assertThat(held.get("required_approvals").asInt()).isEqualTo(2);
        String id = held.get("approval_id").asText();

        assertThat(vault.call("POST", "/v1/approvals/" + id + "/approve", owner, null).expect(403).json().get("message").asText())
                .contains("excludes the agent's owner");
        assertThat(vault.call("POST", "/v1/approvals/" + id + "/approve", bob, null).expect(200).json().get("status").asText())
                .isEqualTo("pending");
        assertThat(vault.call("POST", "/v1/approvals/" + id + "/approve", bob, null).expect(409).json().get("message").asText())
                .contains("needs another person");
        lease(task, id).expect(403);
        vault.call("POST", "/v1/approvals/" + id + "/approve", carol, null).expect(200);
        lease(task, id).expect(201);
    }

    @Test
    void oneDenialEndsTheRequest() {
        String task = startTask("internal");
        String id = lease(task, null).expect(202).json().get("approval_id").asText();
        vault.call("POST", "/v1/approvals/" + id + "/deny", bob, Map.of()).expect(400);
        vault.call("POST", "/v1/approvals/" + id + "/deny", bob, Map.of("comment", "not this quarter")).expect(200);
        assertThat(lease(task, id).expect(403).json().get("message").asText()).contains("is denied");
        vault.call("POST", "/v1/approvals/" + id + "/approve", carol, null).expect(409);
    }

    @Test
    void anApprovalServesOnlyItsTaskAndWhatWasApproved() {
        String task = startTask("internal");
        String other = startTask("internal");
        String id = lease(task, null).expect(202).json().get("approval_id").asText();
        vault.call("POST", "/v1/approvals/" + id + "/approve", bob, null).expect(200);

        lease(other, id).expect(404);
        Map<String, Object> longer = new HashMap<>(Map.of("backend", "pg", "role", "readonly", "ttl", "30m", "approval_id", id));
        assertThat(vault.call("POST", "/v1/leases", task, longer).expect(403).json().get("message").asText())
                .contains("for at most 300s");
        vault.call("GET", "/v1/approvals/" + id, other, null).expect(404);
    }

    @Test
    void theAgentWaitsForTheDecision() throws Exception {
        String task = startTask("internal");
        String id = lease(task, null).expect(202).json().get("approval_id").asText();
        long alreadyWaiting = ServerThreads.inside(Approvals.class, "await");
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(
                () -> vault.call("GET", "/v1/approvals/" + id + "?wait=20s", task, null));
        Eventually.within(Duration.ofSeconds(10), "the agent's request waits for the decision",
                () -> ServerThreads.inside(Approvals.class, "await") > alreadyWaiting);
        assertThat(vault.call("GET", "/v1/approvals", vault.adminToken(), null).expect(200).json().toString()).contains(id);
        vault.call("POST", "/v1/approvals/" + id + "/approve", carol, null).expect(200);

        Response decided = waiting.get(10, TimeUnit.SECONDS).expect(200);
        assertThat(decided.json().get("status").asText()).isEqualTo("approved");
        vault.call("GET", "/v1/approvals/" + id + "?wait=2h", task, null).expect(400);
    }

    @Test
    void anotherTenantsAdminCannotSeeOrApprove() {
        String task = startTask("internal");
        String id = lease(task, null).expect(202).json().get("approval_id").asText();
        String outsider = vault.server().bean(Tokens.class).issueAdmin("mallory@evil.example", "evil");
        vault.call("GET", "/v1/approvals/" + id, outsider, null).expect(404);
        vault.call("POST", "/v1/approvals/" + id + "/approve", outsider, null).expect(404);
        assertThat(vault.call("GET", "/v1/approvals", outsider, null).expect(200).json()).isEmpty();
    }

    @Test
    void malformedApprovalAnnotationsAreRefusedOnUpload() {
        Response refused = vault.call("PUT", "/v1/policies", vault.adminToken(), Map.of("policies",
                "@id(\"x\") @approval(\"3\") permit(principal, action, resource);")).expect(400);
        assertThat(refused.json().get("message").asText()).contains("@approval must be");
        vault.call("PUT", "/v1/policies", vault.adminToken(), Map.of("policies",
                "@id(\"x\") @approval_excludes_owner(\"true\") permit(principal, action, resource);")).expect(400);
    }

    private static String startTask(String sensitivity) {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "quarterly audit", "sensitivity", sensitivity))
                .expect(201).json().get("task_token").asText();
    }

    private static Response lease(String task, String approvalId) {
        Map<String, Object> body = new HashMap<>(Map.of("backend", "pg", "role", "readonly", "ttl", "5m"));
        if (approvalId != null) {
            body.put("approval_id", approvalId);
        }
        return vault.call("POST", "/v1/leases", task, body);
    }

    private static int liveLeases() {
        return vault.call("GET", "/v1/leases?state=active", vault.adminToken(), null).expect(200).json().get("leases").size();
    }
}
