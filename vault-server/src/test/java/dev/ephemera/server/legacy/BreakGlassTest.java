package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every path from one admin to an escrowed secret's value is break-glass, as a reveal is: a consumer
 * grant, a new proxy route, a proxy route pointed elsewhere (HTTP and PostgreSQL), an account added
 * to a library that tasks check out. Each is filed,
 * and takes effect only after two registered admins other than the requester, admins before it was
 * filed, approve it; the operator can neither mint a second token under a taken name nor mint fresh
 * approvers for a request it sees.
 */
class BreakGlassTest {
    private static final String SECRET = "vk-" + SecretGenerator.password(32);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of("ephemera.proxy.http.port", 0, "ephemera.proxy.postgres.port", 0));
    static TestPostgres postgres;
    static TestVault vault;
    static String alice;
    static String bob;
    static String carol;
    static HttpServer attacker;
    static HttpServer vendor;
    static final List<String> attackerSaw = new CopyOnWriteArrayList<>();
    static final List<String> vendorSaw = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Tokens tokens = vault.server().bean(Tokens.class);
        alice = tokens.issueAdmin("alice", "default");
        bob = tokens.issueAdmin("bob", "default");
        carol = tokens.issueAdmin("carol", "default");
        attacker = upstream(attackerSaw);
        vendor = upstream(vendorSaw);
    }

    @AfterAll
    static void stop() {
        attacker.stop(0);
        vendor.stop(0);
    }

    @Test
    void aConsumerGrantWaitsForTwoOtherAdminsLikeARevealAndThenReadsAsToday() {
        String id = escrowed();
        String path = "/v1/escrow/" + id + "/consumers";
        String reveal = vault.call("POST", "/v1/escrow/" + id + "/reveal", alice, Map.of("reason", "incident 9")).expect(202)
                .json().get("approval_id").asText();

        JsonNode held = vault.call("POST", path, alice, Map.of("name", "billing", "reason", "billing reads it")).expect(202).json();
        assertThat(held.toString()).doesNotContain(SECRET).doesNotContain("eph_consumer_");
        assertThat(held.get("detail").asText()).isEqualTo("consumer grant 'billing' reading " + id);
        assertThat(held.get("reason").asText()).isEqualTo("billing reads it");
        String approval = held.get("approval_id").asText();
        assertThat(vault.call("POST", path, alice, Map.of("name", "billing", "approval_id", approval)).expect(403).body())
                .contains("needs two approvers");
        assertThat(vault.call("GET", path, alice, null).expect(200).json()).isEmpty();

        refusesSelfDuplicateAndConjuredApprovers(approval, alice);
        assertThat(vault.call("POST", path, alice, Map.of("name", "another", "approval_id", approval)).expect(403).body())
                .contains("was given for consumer grant 'billing'");
        vault.call("POST", path, bob, Map.of("name", "billing", "approval_id", approval)).expect(404);

        String token = vault.call("POST", path, alice, Map.of("name", "billing", "approval_id", approval)).expect(201).json()
                .get("token").asText();
        assertThat(vault.call("GET", "/v1/escrow/" + id + "/current", token, null).expect(200).json().get("value").asText())
                .isEqualTo(SECRET);
        vault.call("POST", path, alice, Map.of("name", "billing", "approval_id", approval)).expect(409);
        // The reveal filed beside it is still a request of its own, unanswered.
        vault.call("POST", "/v1/escrow/" + id + "/reveal", alice, Map.of("approval_id", reveal)).expect(403);
    }

    @Test
    void aNewHttpRouteIsStoredOnlyOnceApproved() throws Exception {
        String id = escrowed();
        String route = "new-" + NEXT.incrementAndGet();
        Map<String, Object> spec = Map.of("protocol", "http", "secret_id", id, "upstream", url(attacker));
        int attackerBefore = attackerSaw.size();
        String approval = vault.call("PUT", "/v1/proxy/routes/" + route, alice, spec).expect(202).json().get("approval_id").asText();
        vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(404);
        vault.call("POST", "/v1/proxy/routes/" + route + "/lease", startTask(), Map.of()).expect(404);
        assertThat(vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(spec, "approval_id", approval)).expect(403).body())
                .contains("needs two approvers");

        refusesSelfDuplicateAndConjuredApprovers(approval, alice);
        Map<String, Object> elsewhere = with(with(spec, "upstream", url(vendor)), "approval_id", approval);
        assertThat(vault.call("PUT", "/v1/proxy/routes/" + route, alice, elsewhere).expect(403).body()).contains("was given for");
        vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(404);
        assertThat(attackerSaw).hasSize(attackerBefore);

        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(spec, "approval_id", approval)).expect(200);
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/" + route + "/lease", startTask(), Map.of()).expect(201).json()
                .get("credential");
        assertThat(viaProxy(credential, "/x").statusCode()).isEqualTo(200);
        assertThat(attackerSaw).hasSize(attackerBefore + 1).last().isEqualTo("Bearer " + SECRET);
    }

    @Test
    void repointingARouteIsHeldWhileEveryAgentKeepsReachingTheApprovedUpstream() throws Exception {
        String id = escrowed();
        String route = "repoint-" + NEXT.incrementAndGet();
        Map<String, Object> approved = Map.of("protocol", "http", "secret_id", id, "upstream", url(vendor));
        vault.approved("PUT", "/v1/proxy/routes/" + route, approved).expect(200);
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/" + route + "/lease", startTask(), Map.of()).expect(201).json()
                .get("credential");

        Map<String, Object> redirected = with(approved, "upstream", url(attacker));
        String approval = vault.call("PUT", "/v1/proxy/routes/" + route, alice, redirected).expect(202).json()
                .get("approval_id").asText();
        // The same secret under another route, or another secret under this one, is held too; TTLs alone are not.
        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(approved, "secret_id", escrowed())).expect(202);
        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(approved, "header", "X-Api-Key")).expect(202);
        assertThat(vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(approved, "max_ttl", "1h")).expect(200).json()
                .get("max_ttl_seconds").asLong()).isEqualTo(3600);
        assertThat(vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(200).json().get("upstream").asText())
                .isEqualTo(url(vendor));

        int vendorBefore = vendorSaw.size();
        int attackerBefore = attackerSaw.size();
        assertThat(viaProxy(credential, "/x").statusCode()).isEqualTo(200);
        assertThat(vendorSaw).hasSize(vendorBefore + 1).last().isEqualTo("Bearer " + SECRET);
        refusesSelfDuplicateAndConjuredApprovers(approval, alice);
        assertThat(viaProxy(credential, "/x").statusCode()).isEqualTo(200);
        assertThat(vendorSaw).hasSize(vendorBefore + 2);
        assertThat(attackerSaw).hasSize(attackerBefore);

        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(redirected, "approval_id", approval)).expect(200);
        JsonNode after = vault.call("POST", "/v1/proxy/routes/" + route + "/lease", startTask(), Map.of()).expect(201).json()
                .get("credential");
        assertThat(viaProxy(after, "/x").statusCode()).isEqualTo(200);
        assertThat(attackerSaw).hasSize(attackerBefore + 1).last().isEqualTo("Bearer " + SECRET);
    }

    @Test
    void aPostgresRouteIsHeldWhenCreatedAndWhenPointedElsewhere() {
        String id = "pg-" + NEXT.incrementAndGet();
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", id, "account", "svc_reports", "value", SECRET))
                .expect(201);
        String route = "db-" + NEXT.incrementAndGet();
        Map<String, Object> spec = Map.of("protocol", "postgresql", "secret_id", id, "upstream", "127.0.0.1:5432",
                "database", "reports");
        String created = vault.call("PUT", "/v1/proxy/routes/" + route, alice, spec).expect(202).json().get("approval_id").asText();
        vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(404);
        refusesSelfDuplicateAndConjuredApprovers(created, alice);
        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(spec, "approval_id", created)).expect(200);

        Map<String, Object> elsewhere = with(spec, "upstream", "db.attacker.example:5432");
        JsonNode held = vault.call("PUT", "/v1/proxy/routes/" + route, alice, elsewhere).expect(202).json();
        assertThat(held.get("detail").asText()).contains("db.attacker.example:5432");
        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(spec, "upstream_tls", true)).expect(202);
        assertThat(vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(200).json().get("upstream").asText())
                .isEqualTo("127.0.0.1:5432");
        String repoint = held.get("approval_id").asText();
        refusesSelfDuplicateAndConjuredApprovers(repoint, alice);
        vault.call("PUT", "/v1/proxy/routes/" + route, alice, with(elsewhere, "approval_id", repoint)).expect(200);
        assertThat(vault.call("GET", "/v1/proxy/routes/" + route, alice, null).expect(200).json().get("upstream").asText())
                .isEqualTo("db.attacker.example:5432");
    }

    @Test
    void aLibraryHandsOutOnlyAccountsTwoOtherAdminsApproved() throws Exception {
        String first = escrowedRole();
        String second = escrowedRole();
        String library = "lib-" + NEXT.incrementAndGet();
        String path = "/v1/libraries/" + library;
        Map<String, Object> one = Map.of("accounts", List.of(first), "max_ttl", "1h");
        JsonNode held = vault.call("PUT", path, alice, one).expect(202).json();
        assertThat(held.get("detail").asText()).isEqualTo("library " + library + " checks out " + first);
        vault.call("GET", path, alice, null).expect(404);
        vault.call("POST", path + "/check-out", startTask(), Map.of("ttl", "5m")).expect(404);
        String approval = held.get("approval_id").asText();
        refusesSelfDuplicateAndConjuredApprovers(approval, alice);
        assertThat(vault.call("PUT", path, alice, Map.of("accounts", List.of(first, second), "approval_id", approval)).expect(403)
                .body()).contains("was given for library " + library + " checks out " + first);
        vault.call("PUT", path, alice, with(one, "approval_id", approval)).expect(200);

        JsonNode account = vault.call("POST", path + "/check-out", startTask(), Map.of("ttl", "5m")).expect(201).json()
                .get("credential");
        assertThat(postgres.canLogIn(account.get("username").asText(), account.get("password").asText())).isTrue();

        // One more account is held; fewer, or other TTLs, take effect at once.
        vault.call("PUT", path, alice, Map.of("accounts", List.of(first, second), "max_ttl", "1h")).expect(202);
        assertThat(vault.call("GET", path, alice, null).expect(200).json().get("accounts").toString())
                .isEqualTo("[\"" + first + "\"]");
        vault.call("PUT", path, alice, Map.of("accounts", List.of(first), "max_ttl", "2h")).expect(200);
    }

    @Test
    void theOperatorCanNeitherReuseANameNorConjureApprovers() {
        String operator = vault.adminToken();
        for (String taken : List.of("test-admin", "bob", "alice")) {
            assertThat(vault.call("POST", "/v1/sys/admin-tokens", operator, Map.of("name", taken, "tenant", "default")).expect(409)
                    .body()).contains("a name stands for one person");
        }
        // A name is unique within its tenant, not across tenants.
        vault.call("POST", "/v1/sys/admin-tokens", operator, Map.of("name", "bob", "tenant", "elsewhere")).expect(201);

        String id = escrowed();
        String path = "/v1/escrow/" + id + "/reveal";
        String approval = vault.call("POST", path, operator, Map.of("reason", "just looking")).expect(202).json()
                .get("approval_id").asText();
        for (String madeUp : List.of("root", "ghost-1", "ghost-2")) {
            String token = vault.call("POST", "/v1/sys/admin-tokens", operator, Map.of("name", madeUp, "tenant", "default"))
                    .expect(201).json().get("token").asText();
            assertThat(vault.call("POST", "/v1/approvals/" + approval + "/approve", token, Map.of()).expect(403).body())
                    .contains("became an admin after this request was filed");
        }
        assertThat(vault.call("POST", "/v1/approvals/" + approval + "/approve", operator, Map.of()).expect(403).body())
                .contains("cannot approve its own request");
        // An admin of another tenant is no approver here, even under a name taken here.
        String foreign = vault.call("POST", "/v1/sys/admin-tokens", operator, Map.of("name", "carol", "tenant", "other"))
                .expect(201).json().get("token").asText();
        vault.call("POST", "/v1/approvals/" + approval + "/approve", foreign, Map.of()).expect(404);
        assertThat(vault.call("GET", "/v1/approvals/" + approval, operator, null).expect(200).json().get("votes")).isEmpty();
        vault.call("POST", path, operator, Map.of("approval_id", approval)).expect(403);

        vault.call("POST", "/v1/approvals/" + approval + "/approve", bob, Map.of()).expect(200);
        vault.call("POST", "/v1/approvals/" + approval + "/approve", carol, Map.of()).expect(200);
        assertThat(vault.call("POST", path, operator, Map.of("approval_id", approval)).expect(200).json().get("value").asText())
                .isEqualTo(SECRET);
    }

    /**
     * Leaves the request approved: the requester, a second vote by one person and an admin minted
     * after the request are refused, and it stays pending until bob and carol have approved.
     */
    private static void refusesSelfDuplicateAndConjuredApprovers(String approval, String requester) {
        String approve = "/v1/approvals/" + approval + "/approve";
        assertThat(vault.call("POST", approve, requester, Map.of()).expect(403).body()).contains("cannot approve its own request");
        assertThat(vault.call("POST", approve, bob, Map.of()).expect(200).json().get("status").asText()).isEqualTo("pending");
        assertThat(vault.call("POST", approve, bob, Map.of()).expect(409).body()).contains("has already answered");
        String conjured = vault.call("POST", "/v1/sys/admin-tokens", vault.adminToken(),
                Map.of("name", "conjured-" + NEXT.incrementAndGet(), "tenant", "default")).expect(201).json().get("token").asText();
        assertThat(vault.call("POST", approve, conjured, Map.of()).expect(403).body()).contains("became an admin after");
        assertThat(vault.call("GET", "/v1/approvals/" + approval, requester, null).expect(200).json().get("status").asText())
                .isEqualTo("pending");
        assertThat(vault.call("POST", approve, carol, Map.of()).expect(200).json().get("status").asText()).isEqualTo("approved");
    }

    private static String escrowed() {
        String id = "vendor-" + NEXT.incrementAndGet();
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", id, "value", SECRET)).expect(201);
        return id;
    }

    /** A PostgreSQL login role escrowed by the operator (its backend's admin account rotates it at once). */
    private static String escrowedRole() throws Exception {
        String role = "svc_glass_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);
        String id = role.replace('_', '-');
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", id, "backend", "pg", "account", role, "value", initial))
                .expect(201);
        return id;
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    private static String startTask() {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "call the vendor")).expect(201).json()
                .get("task_token").asText();
    }

    private static HttpServer upstream(List<String> saw) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            saw.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
    }

    private static HttpResponse<String> viaProxy(JsonNode credential, String path) throws Exception {
        URI proxy = URI.create(credential.get("address").asText());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort()))).build();
        URI target = URI.create(credential.get("upstream").asText()).resolve(path.substring(1));
        return client.send(HttpRequest.newBuilder(target).header("Proxy-Authorization", "Bearer " + credential.get("token").asText())
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
