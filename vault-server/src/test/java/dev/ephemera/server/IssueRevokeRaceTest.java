package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revocations that land while credentials are being issued, against real PostgreSQL. A role whose
 * creation statements sleep inside their transaction holds the window open: the role exists only once
 * that transaction commits, so a revocation that reached PostgreSQL meanwhile would find nothing to
 * drop, and the role would outlive a lease the vault calls revoked.
 */
class IssueRevokeRaceTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestVault vault;
    static TestPostgres postgres;
    /** Agents calling at once; each call has its own timeout, so nothing here outlives the test. */
    private static final ExecutorService CALLERS = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void roles() throws Exception {
        postgres.execute("CREATE TABLE IF NOT EXISTS inventory (id int PRIMARY KEY)");
        for (String role : List.of("slow", "slower")) {
            vault.call("PUT", "/v1/backends/pg/roles/" + role, vault.adminToken(), Map.of(
                    "creation_statements", List.of(
                            "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}",
                            "GRANT SELECT ON inventory TO {{name}}",
                            "SELECT pg_sleep(" + (role.equals("slow") ? "0.4" : "2") + ")"),
                    "default_ttl", "5m", "max_ttl", "1h")).expect(200);
        }
    }

    @Test
    void endingATaskWhileItsLeasesAreIssuedLeavesNoRoleBehind() throws Exception {
        String task = startTask();
        List<Future<TestVault.Response>> leases = leaseConcurrently(task, "slow", "10m", 6);
        awaitAnIssueInFlight();

        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);

        List<TestVault.Response> answers = answers(leases);
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(201, 403, 409));
        assertThat(answers).as("a lease revoked during its issue is refused, not handed out")
                .anySatisfy(a -> assertThat(a.body()).contains("lease_revoked"));
        Eventually.within(Duration.ofSeconds(20), "no role of the ended task left", () -> rolesOf("slow").isEmpty());
        assertNoHandedOutCredentialWorks(answers);
    }

    @Test
    void revokingEverythingWhileLeasesAreIssuedLeavesNoRoleBehind() throws Exception {
        String task = startTask();
        List<Future<TestVault.Response>> leases = leaseConcurrently(task, "slow", "10m", 6);
        awaitAnIssueInFlight();

        vault.call("POST", "/v1/revocations", vault.adminToken(), Map.of("all", true)).expect(202);

        List<TestVault.Response> answers = answers(leases);
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(201, 409));
        // Whatever the bulk scan did not reach was granted after it, legitimately: the task revokes it.
        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);
        Eventually.within(Duration.ofSeconds(20), "no role left", () -> rolesOf("slow").isEmpty());
        assertNoHandedOutCredentialWorks(answers);
    }

    @Test
    void aLeaseThatExpiresWhileItsRoleIsCreatedIsRefusedAndItsRoleDropped() throws Exception {
        String task = startTask();
        TestVault.Response answer = vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "slower", "ttl", "1s"));

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.body()).contains("lease_revoked").contains("expired while its credential was being issued")
                .doesNotContain("password");
        Eventually.within(Duration.ofSeconds(20), "the role created for the expired lease dropped", () -> rolesOf("slower").isEmpty());
        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);
    }

    @Test
    void fortyAgentsLeasingTheSameRoleAtOnceAllGetTheirCredential() throws Exception {
        // Their GRANTs update one catalog row; PostgreSQL fails all but one with "tuple concurrently updated".
        String task = startTask();
        List<TestVault.Response> answers = answers(leaseConcurrently(task, "readonly", "10m", 40));

        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(201));
        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);
        Eventually.within(Duration.ofSeconds(30), "every role dropped at task end", () -> rolesOf("readonly").isEmpty());
    }

    private static String startTask() {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "race the revocation", "ttl", "15m"))
                .expect(201).json().get("task_token").asText();
    }

    private static List<Future<TestVault.Response>> leaseConcurrently(String task, String role, String ttl, int count) {
        List<Future<TestVault.Response>> leases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            leases.add(CALLERS.submit(() -> vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", role, "ttl", ttl))));
        }
        return leases;
    }

    private static List<TestVault.Response> answers(List<Future<TestVault.Response>> leases) throws Exception {
        List<TestVault.Response> answers = new ArrayList<>();
        for (Future<TestVault.Response> lease : leases) {
            answers.add(lease.get());
        }
        return answers;
    }

    private static void awaitAnIssueInFlight() throws Exception {
        Eventually.within(Duration.ofSeconds(20), "a role being created (its transaction in pg_sleep)", () ->
                postgres.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ephemera' AND query LIKE 'SELECT pg_sleep%'") > 0);
    }

    private static void assertNoHandedOutCredentialWorks(List<TestVault.Response> answers) {
        for (TestVault.Response answer : answers) {
            if (answer.status() == 201) {
                var credential = answer.json().get("credential");
                assertThat(postgres.canLogIn(credential.get("username").asText(), credential.get("password").asText()))
                        .as("a credential of a revoked lease").isFalse();
            }
        }
    }

    private static List<String> rolesOf(String role) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (Connection c = postgres.admin();
             PreparedStatement q = c.prepareStatement("SELECT rolname FROM pg_roles WHERE rolname LIKE ?")) {
            q.setString(1, "eph\\_" + role + "\\_%");
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
        }
        return roles;
    }
}
