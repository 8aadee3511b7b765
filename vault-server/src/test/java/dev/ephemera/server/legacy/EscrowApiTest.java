package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.escrow.SecretWatch;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import dev.ephemera.storage.Keys;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Escrowed secrets through the real server and PostgreSQL: taken over by a rotation at creation,
 * rotated on demand, never shown in an admin view, revealed only through break-glass, and settled
 * after a crash between "recorded" and "confirmed".
 */
class EscrowApiTest {
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @Test
    void creationTakesTheAccountOverAndNoViewCarriesTheValue() throws Exception {
        String role = "legacy_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);

        JsonNode created = escrow(role, initial).expect(201).json();
        assertThat(created.get("version").asInt()).isEqualTo(2);
        assertThat(created.get("account").asText()).isEqualTo(role);
        assertThat(postgres.canLogIn(role, initial)).as("the password a person typed in is dead").isFalse();
        String current = readAsConsumer(role);
        assertThat(postgres.canLogIn(role, current)).isTrue();

        for (Response view : new Response[] {vault.call("GET", "/v1/escrow/" + role, vault.adminToken(), null).expect(200),
                vault.call("GET", "/v1/escrow", vault.adminToken(), null).expect(200)}) {
            assertThat(view.body()).doesNotContain(current).doesNotContain(initial).contains(role);
        }

        JsonNode rotated = vault.call("POST", "/v1/escrow/" + role + "/rotate", vault.adminToken(), null).expect(200).json();
        assertThat(rotated.get("secret").get("version").asInt()).isEqualTo(3);
        assertThat(postgres.canLogIn(role, current)).isFalse();
        assertThat(postgres.canLogIn(role, readAsConsumer(role))).isTrue();
    }

    @Test
    void onlyAnOperatorWieldsASharedBackendAndBadInputIsA400() throws Exception {
        String role = "legacy_" + NEXT.incrementAndGet();
        postgres.createLoginRole(role, "x-" + SecretGenerator.password(20));
        String tenantAdmin = vault.server().bean(Tokens.class).issueAdmin("dana@example.com", "default");
        assertThat(vault.call("POST", "/v1/escrow", tenantAdmin, Map.of("id", role, "backend", "pg", "account", role,
                "value", "whatever")).expect(403).json().get("message").asText()).contains("operator");
        assertThat(vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "pg",
                "account", postgres.adminUser(), "value", "x")).expect(400).json().get("message").asText())
                .contains("own admin account");
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "Bad Id", "value", "x")).expect(400);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "nothing-given")).expect(400);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "nowhere", "account", role,
                "value", "x")).expect(404);
        assertThat(vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "pg", "account", role,
                "value", "x", "rotation", Map.of("period", "10s"))).expect(400).json().get("message").asText())
                .contains("at least one minute");
        vault.call("GET", "/v1/escrow/" + role, vault.adminToken(), null).expect(404);
    }

    @Test
    void aManualSecretIsSetByAnAdminAndARotationPlanIsShown() throws Exception {
        String id = "vendor-key-" + NEXT.incrementAndGet();
        String tenantAdmin = vault.server().bean(Tokens.class).issueAdmin("erin@example.com", "default");
        vault.call("POST", "/v1/escrow", tenantAdmin, Map.of("id", id, "account", "svc", "value", "k1-" + SecretGenerator.password(16)))
                .expect(201);
        vault.call("POST", "/v1/escrow/" + id + "/rotate", tenantAdmin, null).expect(409);
        assertThat(vault.call("PUT", "/v1/escrow/" + id + "/value", tenantAdmin, Map.of("value", "k2-" + SecretGenerator.password(16)))
                .expect(200).json().get("version").asInt()).isEqualTo(2);
        vault.call("PUT", "/v1/escrow/" + id + "/rotation", tenantAdmin, Map.of("period", "1h")).expect(400);

        String role = newEscrowedRole();
        JsonNode planned = vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(),
                Map.of("period", "1d", "window_start", "02:00", "window_end", "04:00", "spread", "1h")).expect(200).json();
        assertThat(planned.get("rotation").get("period_seconds").asLong()).isEqualTo(86_400);
        assertThat(planned.get("next_rotation_at").asText()).matches(".*T0[23]:.*");
        vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(), Map.of("period", "1d", "window_start", "2am"))
                .expect(400);
        JsonNode weekly = vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(),
                Map.of("cron", "30 3 * * SUN", "spread", "10m")).expect(200).json();
        assertThat(weekly.get("rotation").get("cron").asText()).isEqualTo("30 3 * * SUN");
        assertThat(java.time.Instant.parse(weekly.get("next_rotation_at").asText()).atZone(java.time.ZoneOffset.UTC).getDayOfWeek())
                .isEqualTo(java.time.DayOfWeek.SUNDAY);
        assertThat(vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(), Map.of("cron", "0 0 30 2 *"))
                .expect(400).json().get("message").asText()).contains("never matches");
        vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(), Map.of("cron", "0 3 * * *", "period", "1d"))
                .expect(400);
        vault.call("PUT", "/v1/escrow/" + role + "/rotation", vault.adminToken(), Map.of()).expect(400);
        assertThat(vault.call("DELETE", "/v1/escrow/" + role + "/rotation", vault.adminToken(), null).expect(200).json()
                .has("next_rotation_at")).isFalse();
    }

    @Test
    void breakGlassRevealNeedsTwoOtherAdminsAndServesOnce() throws Exception {
        String role = newEscrowedRole();
        Tokens tokens = vault.server().bean(Tokens.class);
        String alice = tokens.issueAdmin("alice.ops@example.com", "default");
        String bob = tokens.issueAdmin("bob.ops@example.com", "default");
        String carol = tokens.issueAdmin("carol.ops@example.com", "default");
        String path = "/v1/escrow/" + role + "/reveal";

        vault.call("POST", path, alice, Map.of()).expect(400);
        JsonNode held = vault.call("POST", path, alice, Map.of("reason", "incident 42: replica down")).expect(202).json();
        assertThat(held.get("required_approvals").asInt()).isEqualTo(2);
        assertThat(held.toString()).doesNotContain("value");
        String approval = held.get("approval_id").asText();
        assertThat(vault.call("POST", path, alice, Map.of("approval_id", approval)).expect(403).json().get("message").asText())
                .contains("needs two approvers");
        assertThat(vault.call("POST", "/v1/approvals/" + approval + "/approve", alice, null).expect(403).json()
                .get("message").asText()).contains("cannot approve its own request");
        vault.call("POST", "/v1/approvals/" + approval + "/approve", bob, null).expect(200);
        vault.call("POST", path, bob, Map.of("approval_id", approval)).expect(404);
        vault.call("POST", "/v1/approvals/" + approval + "/approve", carol, null).expect(200);

        JsonNode revealed = vault.call("POST", path, alice, Map.of("approval_id", approval)).expect(200).json();
        assertThat(revealed.get("value").asText()).isEqualTo(readAsConsumer(role));
        assertThat(revealed.get("approvers").toString()).isEqualTo("[\"bob.ops@example.com\",\"carol.ops@example.com\"]");
        vault.call("POST", path, alice, Map.of("approval_id", approval)).expect(409);
    }

    @Test
    void aRotationInterruptedByACrashIsSettledAtStartWithOneValidCurrent() throws Exception {
        String role = newEscrowedRole();
        EscrowStore store = vault.server().bean(EscrowStore.class);
        var secret = store.find("default", role).orElseThrow();
        String applied = SecretGenerator.password(24);
        // Recorded, then applied to the role, and the vault dies before confirming.
        var pending = store.recordPending(secret, applied);
        postgres.execute("ALTER ROLE " + role + " WITH PASSWORD '" + applied + "'");
        vault.restart();

        JsonNode view = vault.call("GET", "/v1/escrow/" + role, vault.adminToken(), null).expect(200).json();
        assertThat(view.get("version").asInt()).isEqualTo(pending.pending().number());
        assertThat(view.has("pending_version")).isFalse();
        assertThat(readAsConsumer(role)).isEqualTo(applied);
        assertThat(postgres.canLogIn(role, applied)).isTrue();
    }

    @Test
    void aConsumerWaitsForTheNextVersionAndReadsNothingElse() throws Exception {
        String role = newEscrowedRole();
        JsonNode grant = vault.approved("POST", "/v1/escrow/" + role + "/consumers", Map.of("name", "billing-app"))
                .expect(201).json();
        String token = grant.get("token").asText();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> first = http.send(current(role, token, null, null), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"v2\"");

        HttpResponse<String> unchanged = http.send(current(role, token, etag, "1s"), HttpResponse.BodyHandlers.ofString());
        assertThat(unchanged.statusCode()).isEqualTo(304);
        CompletableFuture<HttpResponse<String>> waiting = heldPoll(http, role, token, etag, "20s");
        vault.call("POST", "/v1/escrow/" + role + "/rotate", vault.adminToken(), null).expect(200);
        HttpResponse<String> changed = waiting.get(10, TimeUnit.SECONDS);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).contains("\"v3\"");
        assertThat(postgres.canLogIn(role, new TestVault.Response(200, changed.body()).json().get("value").asText())).isTrue();

        String other = newEscrowedRole();
        vault.call("GET", "/v1/escrow/" + other + "/current", token, null).expect(404);
        vault.call("GET", "/v1/escrow/" + role, token, null).expect(403);
        vault.call("GET", "/v1/leases?state=active", token, null).expect(403);
        vault.call("GET", "/v1/escrow/" + role + "/current?wait=1h", token, null).expect(400);
        vault.call("GET", "/v1/escrow/" + role + "/current", vault.adminToken(), null).expect(403);

        // Withdrawn while it waits: the wait ends at once, and the next version never reaches it.
        CompletableFuture<HttpResponse<String>> cut = heldPoll(http, role, token, "\"v3\"", "30s");
        vault.call("DELETE", "/v1/escrow/" + role + "/consumers/" + grant.get("consumer_id").asText(), vault.adminToken(), null)
                .expect(204);
        HttpResponse<String> ended = cut.get(5, TimeUnit.SECONDS);
        assertThat(ended.statusCode()).isEqualTo(401);
        assertThat(ended.body()).contains("withdrawn");
        vault.call("GET", "/v1/escrow/" + role + "/current", token, null).expect(401);
    }

    @Test
    void aConsumerWithdrawnDuringItsWaitIsNotAnsweredTheRotatedVersion() throws Exception {
        String role = newEscrowedRole();
        JsonNode grant = vault.approved("POST", "/v1/escrow/" + role + "/consumers", Map.of("name", "late-app"))
                .expect(201).json();
        String token = grant.get("token").asText();
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> waiting = heldPoll(http, role, token, "\"v2\"", "30s");
        // The grant goes without waking the wait (as if the wake-up were lost), then a rotation wakes it.
        vault.server().bean(Documents.class).delete(Keys.of("consumer", "default", grant.get("consumer_id").asText()));
        vault.call("POST", "/v1/escrow/" + role + "/rotate", vault.adminToken(), null).expect(200);

        HttpResponse<String> answered = waiting.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(401);
        String rotated = vault.call("GET", "/v1/escrow/" + role, vault.adminToken(), null).expect(200).json().get("version").asText();
        assertThat(rotated).isEqualTo("3");
        assertThat(answered.body()).doesNotContain("\"value\"");
    }

    @Test
    void aSecretNothingUsesIsDeletedWithItsConsumersAndOneInUseIsNot() throws Exception {
        String role = newEscrowedRole();
        String token = vault.approved("POST", "/v1/escrow/" + role + "/consumers", Map.of("name", "old-app"))
                .expect(201).json().get("token").asText();
        vault.approved("PUT", "/v1/proxy/routes/uses-" + role, Map.of("protocol", "http", "secret_id", role,
                "upstream", "http://127.0.0.1:9/")).expect(200);
        assertThat(vault.call("DELETE", "/v1/escrow/" + role, vault.adminToken(), null).expect(409).json().get("message").asText())
                .contains("proxy route uses-" + role);
        vault.approved("PUT", "/v1/proxy/routes/uses-" + role, Map.of("protocol", "http", "secret_id",
                newEscrowedRole(), "upstream", "http://127.0.0.1:9/")).expect(200);

        vault.call("DELETE", "/v1/escrow/" + role, vault.adminToken(), null).expect(204);
        vault.call("GET", "/v1/escrow/" + role, vault.adminToken(), null).expect(404);
        vault.call("GET", "/v1/escrow/" + role + "/current", token, null).expect(401);
        vault.call("DELETE", "/v1/escrow/" + role, vault.adminToken(), null).expect(404);
    }

    @Test
    void anotherTenantCannotSeeRotateRevealOrConsumeASecret() throws Exception {
        String role = newEscrowedRole();
        String outsider = vault.server().bean(Tokens.class).issueAdmin("mallory@evil.example", "evil");
        // each call with the body it takes (an unknown field is a 400 of its own)
        for (String[] call : new String[][] {{"GET", "", null}, {"DELETE", "", null}, {"POST", "/rotate", null},
                {"PUT", "/rotation", "period"}, {"POST", "/consumers", "name"}, {"POST", "/reveal", "reason"}, {"PUT", "/value", "value"}}) {
            vault.call(call[0], "/v1/escrow/" + role + call[1], outsider, call[2] == null ? null : Map.of(call[2], "1h"))
                    .expect(404);
        }
        assertThat(vault.call("GET", "/v1/escrow", outsider, null).expect(200).json()).isEmpty();
    }

    /**
     * A consumer's long poll, returned once the vault holds it: a held poll hangs on the secret's
     * next-change future, so that future gains a dependent (a positive event, not a guessed delay).
     */
    private static CompletableFuture<HttpResponse<String>> heldPoll(HttpClient http, String role, String token, String etag,
                                                                    String wait) throws Exception {
        CompletableFuture<Void> nextChange = vault.server().bean(SecretWatch.class).nextChange("default", role);
        int before = nextChange.getNumberOfDependents();
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(current(role, token, etag, wait), HttpResponse.BodyHandlers.ofString());
        Eventually.within(Duration.ofSeconds(10), "the vault holds the poll until the next change",
                () -> nextChange.getNumberOfDependents() > before);
        return poll;
    }

    private static HttpRequest current(String id, String token, String etag, String wait) {
        HttpRequest.Builder request = HttpRequest.newBuilder(vault.address().resolve("/v1/escrow/" + id + "/current"
                + (wait == null ? "" : "?wait=" + wait))).header("Authorization", "Bearer " + token);
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        return request.build();
    }

    static String newEscrowedRole() throws java.sql.SQLException {
        String role = "legacy_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);
        escrow(role, initial).expect(201);
        return role;
    }

    static Response escrow(String role, String value) {
        return vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "pg", "account", role, "value", value));
    }

    static String readAsConsumer(String id) {
        String token = vault.approved("POST", "/v1/escrow/" + id + "/consumers", Map.of("name", "reader"))
                .expect(201).json().get("token").asText();
        return vault.call("GET", "/v1/escrow/" + id + "/current", token, null).expect(200).json().get("value").asText();
    }
}
