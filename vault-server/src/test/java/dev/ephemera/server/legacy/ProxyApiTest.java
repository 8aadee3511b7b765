package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ephemera.client.GenericCredential;
import dev.ephemera.client.Task;
import dev.ephemera.client.TaskSpec;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.ProxySessions;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The credential-injecting proxies as an agent meets them through the real server: a task leases a
 * route, gets a lease token, and reaches a real HTTP API and a real PostgreSQL with the escrowed
 * secret injected on the way — never seeing it; revoking the lease cuts the session; every
 * connection is audited with task, agent and lease.
 */
class ProxyApiTest {
    private static final String API_KEY = "ak-" + SecretGenerator.password(32);
    private static final String POLICIES = """
            @id("start") permit(principal, action == Ephemera::Action::"StartTask", resource);
            @id("proxies") permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role)
            when { resource.backend == "proxy" && resource.name != "forbidden" };
            """;

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of("ephemera.proxy.http.port", 0, "ephemera.proxy.postgres.port", 0));
    static TestPostgres postgres;
    static TestVault vault;
    static HttpServer upstream;
    static final List<String> seenAuthorization = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vault.putPolicy(POLICIES);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            seenAuthorization.add(String.valueOf(authorization));
            if (exchange.getRequestHeaders().containsKey("Ephemera-Lease-Token")) {
                seenAuthorization.add("a lease token reached the upstream");
            }
            // An upstream that echoes what it was sent: the proxy must not let the key back out.
            byte[] body = ("path=" + exchange.getRequestURI().getPath() + " auth=" + authorization).getBytes(StandardCharsets.UTF_8);
            int status = ("Bearer " + API_KEY).equals(authorization) ? 200 : 401;
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "vendor-api", "value", API_KEY)).expect(201);
        vault.approved("PUT", "/v1/proxy/routes/vendor", Map.of("protocol", "http", "secret_id", "vendor-api",
                "upstream", "http://127.0.0.1:" + upstream.getAddress().getPort() + "/api/")).expect(200);
    }

    @AfterAll
    static void stop() {
        upstream.stop(0);
    }

    @Test
    void anAgentReachesTheApiWithTheKeyInjectedAndNeverSeesIt() throws Exception {
        String task = startTask();
        JsonNode lease = vault.call("POST", "/v1/proxy/routes/vendor/lease", task, Map.of("ttl", "5m")).expect(201).json();
        JsonNode credential = lease.get("credential");
        assertThat(lease.toString()).doesNotContain(API_KEY);
        String token = credential.get("token").asText();

        HttpResponse<String> response = viaProxy(credential, "/v1/invoices", token);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(seenAuthorization).contains("Bearer " + API_KEY);
        assertThat(response.body()).startsWith("path=/api/v1/invoices").doesNotContain(API_KEY);
        assertThat(response.headers().map().toString()).doesNotContain(API_KEY);

        vault.call("POST", "/v1/leases/" + lease.get("lease_id").asText() + "/revoke", task, null).expect(200);
        assertThat(viaProxy(credential, "/v1/invoices", token).statusCode()).isEqualTo(407);

        String taskId = vault.call("GET", "/v1/tasks/self", task, null).expect(200).json().get("task_id").asText();
        JsonNode connections = vault.call("GET", "/v1/proxy/connections?task_id=" + taskId, vault.adminToken(), null)
                .expect(200).json().get("connections");
        assertThat(connections).hasSize(1);
        JsonNode audited = connections.get(0);
        assertThat(audited.get("lease_id").asText()).isEqualTo(lease.get("lease_id").asText());
        assertThat(audited.get("agent_id").asText()).isEqualTo(TestVault.AGENT);
        assertThat(audited.get("route").asText()).isEqualTo("vendor");
        assertThat(audited.get("bytes_to_client").asLong()).isPositive();
        assertThat(connections.toString()).doesNotContain(API_KEY).doesNotContain(token);
    }

    @Test
    void anAgentQueriesPostgresThroughTheProxyAndRevocationCutsTheSession() throws Exception {
        String role = "proxied_" + System.nanoTime();
        postgres.createLoginRole(role, "x-" + SecretGenerator.password(20));
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role.replace('_', '-'), "backend", "pg",
                "account", role, "value", "unused")).expect(201);
        vault.approved("PUT", "/v1/proxy/routes/reporting-db", Map.of("protocol", "postgresql",
                "secret_id", role.replace('_', '-'), "upstream", "127.0.0.1:" + postgres.port(), "database", "postgres")).expect(200);

        String task = startTask();
        JsonNode lease = vault.call("POST", "/v1/proxy/routes/reporting-db/lease", task, Map.of()).expect(201).json();
        JsonNode credential = lease.get("credential");
        try (Connection session = ProxySessions.postgres(credential)) {
            try (Statement statement = session.createStatement(); ResultSet rows = statement.executeQuery("SELECT current_user")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo(role);
            }
            vault.call("POST", "/v1/leases/" + lease.get("lease_id").asText() + "/revoke", vault.adminToken(), null).expect(200);
            Eventually.within(Duration.ofSeconds(5), "the session is cut", () -> {
                try (Statement statement = session.createStatement()) {
                    statement.execute("SELECT 1");
                    return false;
                } catch (SQLException cut) {
                    return true;
                }
            });
        }
        assertThatThrownBy(() -> ProxySessions.postgres(credential).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("invalid, expired or revoked lease token");
    }

    @Test
    void revokingALeaseEndsTheUpstreamStatementSoNothingItSentCommitsAfterwards() throws Exception {
        ProxiedRole proxied = proxiedRole("probe-db");
        try (Connection session = ProxySessions.postgres(proxied.lease().get("credential")); Statement statement = session.createStatement()) {
            int backend = backendPid(statement);
            // One query string, one implicit transaction: the insert commits when the sleep ends, unless stopped.
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    statement.execute("SELECT pg_sleep(8); INSERT INTO " + proxied.probe() + " VALUES (1)");
                } catch (SQLException cut) {
                    // expected: the revocation cuts the session
                }
            });
            Eventually.within(Duration.ofSeconds(5), "the sleep runs upstream",
                    () -> count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend + " AND query LIKE 'SELECT pg_sleep(8)%'") == 1);

            revokeAndAwaitConfirmation(proxied.lease().get("lease_id").asText());
            // Confirmed means the upstream backend is gone already: once it is, nothing of it can commit.
            assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend))
                    .as("the upstream backend outlived the confirmed revocation").isZero();
            assertThat(count("SELECT count(*) FROM " + proxied.probe())).as("the insert sent under the lease committed").isZero();
            running.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSessionWhoseAccountWasRotatedSinceItOpenedIsStillEndedAtRevocation() throws Exception {
        ProxiedRole proxied = proxiedRole("rotated-db");
        try (Connection session = ProxySessions.postgres(proxied.lease().get("credential")); Statement statement = session.createStatement()) {
            int backend = backendPid(statement);
            // The password the session logged in with is dead now; ending its backend needs the new one.
            vault.call("POST", "/v1/escrow/" + proxied.secretId() + "/rotate", vault.adminToken(), null).expect(200);

            revokeAndAwaitConfirmation(proxied.lease().get("lease_id").asText());
            assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend))
                    .as("the upstream backend outlived the confirmed revocation").isZero();
        }
    }

    /** An escrowed login role with a probe table it may write, a PostgreSQL route on it, and a lease of that route. */
    private record ProxiedRole(String secretId, String probe, JsonNode lease) {}

    private ProxiedRole proxiedRole(String route) throws Exception {
        String role = "proxied_" + System.nanoTime();
        String probe = "probe_" + System.nanoTime();
        String secretId = role.replace('_', '-');
        postgres.createLoginRole(role, "x-" + SecretGenerator.password(20));
        postgres.execute("CREATE TABLE " + probe + " (v int)");
        postgres.execute("GRANT SELECT, INSERT ON " + probe + " TO " + role);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", secretId, "backend", "pg",
                "account", role, "value", "unused")).expect(201);
        vault.approved("PUT", "/v1/proxy/routes/" + route, Map.of("protocol", "postgresql",
                "secret_id", secretId, "upstream", "127.0.0.1:" + postgres.port(), "database", "postgres")).expect(200);
        return new ProxiedRole(secretId, probe, vault.call("POST", "/v1/proxy/routes/" + route + "/lease", startTask(), Map.of())
                .expect(201).json());
    }

    private static int backendPid(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void revokeAndAwaitConfirmation(String leaseId) throws Exception {
        vault.call("POST", "/v1/leases/" + leaseId + "/revoke", vault.adminToken(), null).expect(200);
        // The call waits a few seconds for the confirmation; on a loaded machine it may come later.
        Eventually.within(Duration.ofSeconds(30), "the revocation is confirmed", () -> vault.call("GET", "/v1/leases/" + leaseId,
                vault.adminToken(), null).expect(200).json().get("state").asText().equals("revoked"));
    }

    private static long count(String sql) throws SQLException {
        try (Connection admin = postgres.admin(); Statement statement = admin.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void aBasicRouteSendsTheRoutesUsernameWithTheEscrowedSecret() throws Exception {
        vault.approved("PUT", "/v1/proxy/routes/vendor-basic", Map.of("protocol", "http", "secret_id", "vendor-api",
                "upstream", "http://127.0.0.1:" + upstream.getAddress().getPort() + "/api/", "scheme", "basic", "username", "svc-ledger"))
                .expect(200);
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/vendor-basic/lease", startTask(), Map.of()).expect(201).json()
                .get("credential");

        HttpResponse<String> response = viaProxy(credential, "/basic", credential.get("token").asText());

        String basic = java.util.Base64.getEncoder().encodeToString(("svc-ledger:" + API_KEY).getBytes(StandardCharsets.UTF_8));
        assertThat(seenAuthorization).contains("Basic " + basic);
        assertThat(response.body()).startsWith("path=/api/basic").doesNotContain(basic).doesNotContain(API_KEY);
    }

    @Test
    void policyAndRouteChecksRefuseWithReasons() throws Exception {
        vault.approved("PUT", "/v1/proxy/routes/forbidden", Map.of("protocol", "http", "secret_id", "vendor-api",
                "upstream", "http://127.0.0.1:9/")).expect(200);
        String task = startTask();
        vault.call("POST", "/v1/proxy/routes/forbidden/lease", task, Map.of()).expect(403);
        vault.call("POST", "/v1/proxy/routes/nowhere/lease", task, Map.of()).expect(404);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("protocol", "ftp", "secret_id", "vendor-api", "upstream", "http://x/"),
                Map.of("protocol", "http", "secret_id", "no-such-secret", "upstream", "http://x/"),
                Map.of("protocol", "http", "secret_id", "vendor-api", "upstream", "http://user:pw@x/"),
                Map.of("protocol", "http", "secret_id", "vendor-api", "upstream", "http://x/", "header", "Host"),
                Map.of("protocol", "postgresql", "secret_id", "vendor-api", "upstream", "db.example", "database", "x"))) {
            vault.call("PUT", "/v1/proxy/routes/bad", vault.adminToken(), bad).expect(400);
        }
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/vendor/lease", task, Map.of()).expect(201).json()
                .get("credential");
        assertThat(viaProxy(credential, "/x", "eph_proxy_" + "forged").statusCode()).isEqualTo(407);
        assertThat(viaProxy(credential, "/x", credential.get("token").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void theJavaClientLeasesARouteAndGetsATokenNotTheKey() throws Exception {
        try (Task task = vault.client().openTask(TaskSpec.of("reconcile vendor invoices"))) {
            GenericCredential credential = (GenericCredential) task.proxy("vendor", Duration.ofMinutes(2)).credential();
            assertThat(credential.type()).isEqualTo("proxy");
            assertThat(credential.fields()).containsKeys("address", "token", "upstream").doesNotContainValue(API_KEY);
            JsonNode asJson = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(credential.fields());
            assertThat(viaProxy(asJson, "/ping", credential.fields().get("token")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aDirectRequestCarriesTheTokenInItsOwnHeaderWhichNeverReachesTheUpstream() throws Exception {
        String task = startTask();
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/vendor/lease", task, Map.of()).expect(201).json().get("credential");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(credential.get("address").asText() + "/v1/direct"))
                .header("Ephemera-Lease-Token", credential.get("token").asText()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("path=/api/v1/direct").doesNotContain(API_KEY);
        assertThat(seenAuthorization).doesNotContain("a lease token reached the upstream");
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(credential.get("address").asText() + "/x"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(407);
    }

    private static String startTask() {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "reconcile vendor invoices"))
                .expect(201).json().get("task_token").asText();
    }

    /** As a JDK agent must: the proxy as its forward proxy (the JDK drops Proxy-* headers on direct requests). */
    private static HttpResponse<String> viaProxy(JsonNode credential, String path, String token) throws Exception {
        URI proxy = URI.create(credential.get("address").asText());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort()))).build();
        URI target = URI.create(credential.get("upstream").asText()).resolve(path.substring(1));
        return client.send(HttpRequest.newBuilder(target).header("Proxy-Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
