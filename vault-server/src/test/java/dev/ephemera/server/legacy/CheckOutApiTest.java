package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.client.GenericCredential;
import dev.ephemera.client.InvalidRequestException;
import dev.ephemera.client.Lease;
import dev.ephemera.client.Task;
import dev.ephemera.client.TaskSpec;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Check-out through the real server, Cedar and PostgreSQL: an account of a library is a lease of
 * the built-in library backend, permitted by the tenant's CheckOut policy; two tasks never hold the
 * same account; every way a check-out ends (check-in, task end, admin force) rotates the password
 * so the holder's copy is dead.
 */
class CheckOutApiTest {
    private static final String POLICIES = """
            @id("start") permit(principal, action == Ephemera::Action::"StartTask", resource);
            @id("check-out-reports") permit(principal, action == Ephemera::Action::"CheckOut", resource is Ephemera::Library)
            when { resource.name != "locked" };
            @id("short-check-outs") forbid(principal, action == Ephemera::Action::"CheckOut", resource)
            when { context.ttl_seconds > 2400 };
            """;
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @BeforeAll
    static void start() {
        vault.putPolicy(POLICIES);
    }

    @Test
    void twoTasksNeverHoldTheSameAccountAndCheckInKillsThePassword() throws Exception {
        String library = library("reports", 2);
        String first = startTask();
        String second = startTask();
        String third = startTask();

        JsonNode a = checkOut(first, library).expect(201).json();
        JsonNode b = checkOut(second, library).expect(201).json();
        String accountA = a.get("credential").get("username").asText();
        String passwordA = a.get("credential").get("password").asText();
        assertThat(accountA).isNotEqualTo(b.get("credential").get("username").asText());
        assertThat(a.get("backend").asText()).isEqualTo("library");
        assertThat(postgres.canLogIn(accountA, passwordA)).isTrue();

        Response none = checkOut(third, library).expect(409);
        assertThat(none.json().get("error").asText()).isEqualTo("none_free");
        assertThat(none.json().get("message").asText()).contains("all 2 accounts").contains("due back at");

        JsonNode view = vault.call("GET", "/v1/libraries/" + library, vault.adminToken(), null).expect(200).json();
        assertThat(view.get("free").asInt()).isZero();
        assertThat(view.toString()).doesNotContain(passwordA);

        String leaseA = a.get("lease_id").asText();
        vault.call("POST", "/v1/leases/" + leaseA + "/revoke", first, null).expect(200);
        assertThat(postgres.canLogIn(accountA, passwordA)).as("the checked-in password is dead").isFalse();
        JsonNode again = checkOut(third, library).expect(201).json();
        assertThat(again.get("credential").get("username").asText()).isEqualTo(accountA);
        assertThat(again.get("credential").get("password").asText()).isNotEqualTo(passwordA);
        assertThat(postgres.canLogIn(accountA, again.get("credential").get("password").asText())).isTrue();
    }

    @Test
    void taskEndAndAdminForceCheckInRotateToo() throws Exception {
        String library = library("batch", 2);
        String ending = startTask();
        String forced = startTask();
        JsonNode one = checkOut(ending, library).expect(201).json();
        JsonNode two = checkOut(forced, library).expect(201).json();

        vault.call("POST", "/v1/tasks/self/end", ending, null).expect(200);
        vault.call("POST", "/v1/leases/" + two.get("lease_id").asText() + "/revoke", vault.adminToken(), null).expect(200);
        for (JsonNode held : List.of(one, two)) {
            String account = held.get("credential").get("username").asText();
            String password = held.get("credential").get("password").asText();
            Eventually.within(Duration.ofSeconds(10), "the password of " + account + " dies", () -> !postgres.canLogIn(account, password));
        }
        Eventually.within(Duration.ofSeconds(10), "both accounts free", () -> vault.call("GET", "/v1/libraries/" + library,
                vault.adminToken(), null).expect(200).json().get("free").asInt() == 2);
    }

    @Test
    void policyDecidesEveryCheckOutAndTheDecisionIsKeptWithTheTask() throws Exception {
        String locked = library("locked", 1);
        String open = library("audit", 1);
        String task = startTask();
        String taskId = vault.call("GET", "/v1/tasks/self", task, null).expect(200).json().get("task_id").asText();

        assertThat(checkOut(task, locked).expect(403).json().get("message").asText()).contains("no policy permits CheckOut");
        checkOut(task, open).expect(201);
        JsonNode decisions = vault.call("GET", "/v1/tasks/" + taskId + "/decisions", vault.adminToken(), null).expect(200).json()
                .get("decisions");
        List<String> summary = new ArrayList<>();
        decisions.forEach(d -> summary.add(d.get("action").asText() + ":" + d.get("outcome").asText() + ":"
                + d.get("resource").asText() + ":" + d.get("policy_ids")));
        assertThat(summary).containsExactly("StartTask:permit:tenant default:[\"start\"]",
                "CheckOut:deny:library " + locked + ":null", "CheckOut:permit:library " + open + ":[\"check-out-reports\"]");
    }

    @Test
    void keepingAnAccountLongerIsAskedOfTheCheckOutPolicy() throws Exception {
        String library = library("long-runs", 1);
        String task = startTask();
        JsonNode held = checkOut(task, library).expect(201).json();
        String lease = held.get("lease_id").asText();
        JsonNode renewed = vault.call("POST", "/v1/leases/" + lease + "/renew", task, Map.of("increment", "30m")).expect(200).json();
        assertThat(renewed.get("expires_at").asText()).isGreaterThan(held.get("expires_at").asText());
        JsonNode holder = vault.call("GET", "/v1/libraries/" + library, vault.adminToken(), null).expect(200).json()
                .get("checked_out").get(0);
        assertThat(holder.get("until").asText()).isEqualTo(renewed.get("expires_at").asText());
        assertThat(vault.call("POST", "/v1/leases/" + lease + "/renew", task, Map.of("increment", "50m")).expect(403).json()
                .get("message").asText()).contains("short-check-outs");
    }

    @Test
    void badRequestsAreRefusedWithReasons() throws Exception {
        String library = library("misc", 1);
        String task = startTask();
        checkOut(task, "no-such-library").expect(404);
        assertThat(vault.call("POST", "/v1/libraries/" + library + "/check-out", task, Map.of("ttl", "30d")).expect(400).json()
                .get("message").asText()).contains("max_ttl");
        vault.call("POST", "/v1/libraries/" + library + "/check-out", vault.adminToken(), Map.of()).expect(403);
        assertThat(vault.call("PUT", "/v1/libraries/x", vault.adminToken(), Map.of("accounts", List.of("not-escrowed")))
                .expect(400).json().get("message").asText()).contains("not an escrowed secret");
        String member = vault.call("GET", "/v1/libraries/" + library, vault.adminToken(), null).expect(200).json()
                .get("accounts").get(0).asText();
        vault.call("PUT", "/v1/libraries/y", vault.adminToken(), Map.of("accounts", List.of(member))).expect(400);
        vault.call("POST", "/v1/escrow/" + member + "/rotate", vault.adminToken(), null).expect(409);
        vault.call("PUT", "/v1/escrow/" + member + "/rotation", vault.adminToken(), Map.of("period", "1h")).expect(409);
    }

    @Test
    void anAgentChecksOutAndInThroughTheJavaClient() throws Exception {
        String library = library("client-side", 1);
        try (Task task = vault.client().openTask(TaskSpec.of("nightly reports"));
             Task other = vault.client().openTask(TaskSpec.of("nightly reports"))) {
            Lease held = task.checkOut(library, Duration.ofMinutes(5));
            GenericCredential account = (GenericCredential) held.credential();
            assertThat(account.type()).isEqualTo("account");
            String username = account.fields().get("username");
            String password = account.fields().get("password");
            assertThat(postgres.canLogIn(username, password)).isTrue();
            assertThatThrownBy(() -> other.checkOut(library, Duration.ofMinutes(5))).isInstanceOfSatisfying(InvalidRequestException.class,
                    refused -> assertThat(refused.errorCode()).isEqualTo("none_free"));

            held.revoke();
            Eventually.within(Duration.ofSeconds(10), "the checked-in password dies", () -> !postgres.canLogIn(username, password));
            assertThat(other.checkOut(library, Duration.ofMinutes(5)).credential()).isInstanceOf(GenericCredential.class);
        }
    }

    /** A library of {@code size} escrowed PostgreSQL login roles. */
    static String library(String name, int size) throws Exception {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String role = "svc_" + name.replace('-', '_') + "_" + NEXT.incrementAndGet();
            String initial = SecretGenerator.password(24);
            postgres.createLoginRole(role, initial);
            vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role.replace('_', '-'), "backend", "pg",
                    "account", role, "value", initial)).expect(201);
            accounts.add(role.replace('_', '-'));
        }
        vault.approved("PUT", "/v1/libraries/" + name, Map.of("accounts", accounts, "max_ttl", "1h")).expect(200);
        return name;
    }

    static String startTask() {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "nightly reports"))
                .expect(201).json().get("task_token").asText();
    }

    static Response checkOut(String task, String library) {
        return vault.call("POST", "/v1/libraries/" + library + "/check-out", task, Map.of("ttl", "10m"));
    }
}
