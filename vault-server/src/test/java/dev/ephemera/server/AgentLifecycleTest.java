package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent's lifecycle through the real server and real PostgreSQL: registered agents wait for
 * activation; suspending or offboarding ends every task and drops every credential; a changed
 * manifest digest does the same and locks the agent until an admin approves it.
 */
class AgentLifecycleTest {
    private static final String DIGEST_A = "sha256:" + "a".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @Test
    void aRegisteredAgentCannotActUntilAnAdminActivatesIt() {
        TestAgent agent = register(Map.of(), false);
        Response refused = startTask(agent, Map.of()).expect(403);
        assertThat(refused.json().get("message").asText()).contains("not yet activated");

        admin("POST", "/v1/agents/" + agent.id + "/activate", null).expect(200);
        startTask(agent, Map.of()).expect(201);
    }

    @Test
    void suspendingEndsEveryTaskAndDropsEveryCredentialThenActivationRestores() throws Exception {
        TestAgent agent = register(Map.of(), true);
        String task = startTask(agent, Map.of()).expect(201).json().get("task_token").asText();
        String role = lease(task).expect(201).json().get("credential").get("username").asText();
        assertThat(postgres.roleExists(role)).isTrue();

        JsonNode stopped = admin("POST", "/v1/agents/" + agent.id + "/suspend", Map.of("reason", "odd behaviour")).expect(200).json();

        assertThat(stopped.get("tasks_ended").asInt()).isEqualTo(1);
        assertThat(stopped.get("leases_revoking").asInt()).isEqualTo(1);
        assertThat(stopped.get("agent").get("status").asText()).isEqualTo("suspended");
        Eventually.within(Duration.ofSeconds(10), "role dropped on suspension", () -> !postgres.roleExists(role));
        assertThat(lease(task).status()).isEqualTo(403);
        assertThat(startTask(agent, Map.of()).expect(403).json().get("message").asText()).contains("is suspended");

        admin("POST", "/v1/agents/" + agent.id + "/activate", null).expect(200);
        startTask(agent, Map.of()).expect(201);
    }

    @Test
    void anOffboardedAgentIsRefusedForGood() throws Exception {
        TestAgent agent = register(Map.of(), true);
        String task = startTask(agent, Map.of()).expect(201).json().get("task_token").asText();
        String role = lease(task).expect(201).json().get("credential").get("username").asText();

        admin("POST", "/v1/agents/" + agent.id + "/offboard", Map.of("reason", "project ended")).expect(200);

        Eventually.within(Duration.ofSeconds(10), "role dropped on offboarding", () -> !postgres.roleExists(role));
        assertThat(startTask(agent, Map.of()).expect(403).json().get("message").asText()).contains("is offboarded");
        admin("POST", "/v1/agents/" + agent.id + "/activate", null).expect(409);
        admin("PUT", "/v1/agents/" + agent.id, agent.registration).expect(409);
        admin("POST", "/v1/agents/" + agent.id + "/offboard", Map.of("reason", "again")).expect(409);
    }

    @Test
    void suspensionNeedsAReason() {
        TestAgent agent = register(Map.of(), true);
        admin("POST", "/v1/agents/" + agent.id + "/suspend", Map.of("reason", " ")).expect(400);
        admin("POST", "/v1/agents/" + agent.id + "/suspend", Map.of()).expect(400);
        admin("POST", "/v1/agents/nobody-" + NEXT.incrementAndGet() + "/suspend", Map.of("reason", "x")).expect(404);
    }

    @Test
    void aChangedManifestRevokesEverythingAndLocksTheAgentUntilApproved() throws Exception {
        TestAgent agent = register(Map.of("manifest_digest", DIGEST_A), true);
        String task = startTask(agent, Map.of("manifest_digest", DIGEST_A)).expect(201).json().get("task_token").asText();
        String role = lease(task).expect(201).json().get("credential").get("username").asText();

        Response changed = startTask(agent, Map.of("manifest_digest", DIGEST_B)).expect(403);

        assertThat(changed.json().get("message").asText()).contains("not its approved one").contains("1 tasks were ended");
        Eventually.within(Duration.ofSeconds(10), "role dropped on manifest change", () -> !postgres.roleExists(role));
        assertThat(lease(task).status()).isEqualTo(403);
        assertThat(startTask(agent, Map.of("manifest_digest", DIGEST_A)).expect(403).json().get("message").asText())
                .contains("must approve " + DIGEST_B);
        JsonNode view = admin("GET", "/v1/agents/" + agent.id, null).expect(200).json();
        assertThat(view.get("pending_manifest_digest").asText()).isEqualTo(DIGEST_B);

        admin("POST", "/v1/agents/" + agent.id + "/approve-manifest", Map.of("digest", DIGEST_B)).expect(200);
        startTask(agent, Map.of("manifest_digest", DIGEST_B)).expect(201);
        startTask(agent, Map.of("manifest_digest", DIGEST_A)).expect(403);
    }

    @Test
    void anAgentWithAManifestMustPresentIt() {
        TestAgent agent = register(Map.of("manifest_digest", DIGEST_A), true);
        assertThat(startTask(agent, Map.of()).expect(403).json().get("message").asText()).contains("must present its manifest_digest");
        startTask(agent, Map.of("manifest_digest", "sha256:nothex")).expect(400);
    }

    @Test
    void tasksMayDeclareOnlyTheAgentsRegisteredTools() {
        TestAgent agent = register(Map.of("tools", List.of("sql", "charts")), true);
        startTask(agent, Map.of("tools", List.of("sql"))).expect(201);
        assertThat(startTask(agent, Map.of("tools", List.of("sql", "shell"))).expect(403).json().get("message").asText())
                .contains("tool 'shell' is not among");
    }

    @Test
    void anExpiredRegistrationCannotAct() throws Exception {
        TestAgent agent = register(Map.of("expires_at", Instant.now().plusSeconds(2).toString()), true);
        startTask(agent, Map.of()).expect(201);
        Eventually.within(Duration.ofSeconds(10), "registration expired",
                () -> startTask(agent, Map.of()).status() == 403);
        assertThat(startTask(agent, Map.of()).json().get("message").asText()).contains("registration expired");
    }

    @Test
    void malformedRegistrationsAreRefused() {
        String id = "bad-" + NEXT.incrementAndGet();
        Map<String, Object> base = Map.of("owner", "dana@example.com", "purpose", "p", "issuer", "test",
                "subject", "spiffe://test.local/" + id);
        admin("PUT", "/v1/agents/" + id, with(base, "manifest_digest", "md5:abc")).expect(400);
        admin("PUT", "/v1/agents/" + id, with(base, "expires_at", Instant.now().minusSeconds(5).toString())).expect(400);
        admin("PUT", "/v1/agents/" + id, with(base, "tools", List.of("Bad Tool"))).expect(400);
        admin("PUT", "/v1/agents/" + id, with(base, "owner", id)).expect(400);
        admin("PUT", "/v1/agents/" + id, with(base, "subject", TestVault.AGENT_SUBJECT)).expect(409);
    }

    private record TestAgent(String id, String subject, Map<String, Object> registration) {}

    private static TestAgent register(Map<String, Object> extra, boolean activate) {
        String id = "agent-" + NEXT.incrementAndGet();
        String subject = "spiffe://test.local/agents/" + id;
        Map<String, Object> body = new HashMap<>(Map.of("owner", "dana@example.com", "purpose", "lifecycle tests",
                "issuer", "test", "subject", subject));
        body.putAll(extra);
        JsonNode view = admin("PUT", "/v1/agents/" + id, body).expect(200).json();
        assertThat(view.get("status").asText()).isEqualTo("registered");
        if (activate) {
            admin("POST", "/v1/agents/" + id + "/activate", null).expect(200);
        }
        return new TestAgent(id, subject, body);
    }

    private static Response startTask(TestAgent agent, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("objective", "lifecycle check", "ttl", "10m"));
        body.putAll(extra);
        return vault.call("POST", "/v1/tasks", vault.issuer().mint(agent.subject, Duration.ofMinutes(5)), body);
    }

    private static Response lease(String taskToken) {
        return vault.call("POST", "/v1/leases", taskToken, Map.of("backend", "pg", "role", "readonly", "ttl", "5m"));
    }

    private static Response admin(String method, String path, Object body) {
        return vault.call(method, path, vault.adminToken(), body);
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }
}
