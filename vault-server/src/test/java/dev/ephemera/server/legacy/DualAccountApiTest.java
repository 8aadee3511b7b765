package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.client.EscrowConsumer;
import dev.ephemera.client.RotatingDataSource;
import dev.ephemera.client.SecretWatcher;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.rotation.RotationScheduler;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.PoolUnderLoad;
import dev.ephemera.server.support.ProxySessions;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Blue/green pairs through the real server and PostgreSQL: consumers read the active account under
 * a version that grows at every switch, the account switched away from keeps its password through
 * the overlap, and a pool over the pair serves every query across switches.
 */
class DualAccountApiTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration OVERLAP = Duration.ofSeconds(1);

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of("ephemera.escrow.dual-overlap", OVERLAP.toSeconds() + "s",
            "ephemera.proxy.postgres.port", 0));
    static TestPostgres postgres;
    static TestVault vault;

    @Test
    void aSwitchKeepsTheOldPasswordThroughTheOverlapAndWakesWaitingConsumers() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        JsonNode created = createPair(pair, blue, green).expect(201).json();
        assertThat(created.get("mode").asText()).isEqualTo("dual");
        assertThat(created.get("active").asText()).isEqualTo(blue);
        assertThat(created.get("version").asInt()).isEqualTo(1);
        assertThat(vault.call("GET", "/v1/escrow/" + pair, vault.adminToken(), null).expect(200).json().get("green").asText())
                .isEqualTo(green);
        assertThat(vault.call("GET", "/v1/escrow", vault.adminToken(), null).expect(200).json().findValuesAsText("id"))
                .contains(blue, green, pair);

        String token = grant(pair);
        JsonNode first = read(pair, token);
        assertThat(first.get("username").asText()).isEqualTo(blue);
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(postgres.canLogIn(blue, first.get("value").asText())).isTrue();

        JsonNode rotated = rotate(pair).expect(200).json();
        assertThat(rotated.get("account").asText()).isEqualTo(green);
        assertThat(rotated.get("pair").get("active").asText()).isEqualTo(green);
        JsonNode second = read(pair, token);
        assertThat(second.get("username").asText()).isEqualTo(green);
        assertThat(second.get("version").asInt()).isEqualTo(2);
        assertThat(postgres.canLogIn(green, second.get("value").asText())).isTrue();
        assertThat(postgres.canLogIn(blue, first.get("value").asText())).as("blue still works during the overlap").isTrue();
        assertThat(rotate(pair).expect(409).json().get("message").asText()).contains(blue).contains("may be rotated from");

        // A consumer waiting on version 2 is woken by the switch, which is no change of an escrowed secret.
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(HttpRequest.newBuilder(
                        vault.address().resolve("/v1/escrow/" + pair + "/current?wait=20s"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", "\"v2\"").build(),
                HttpResponse.BodyHandlers.ofString());
        awaitOverlap(rotated.get("pair"));
        assertThat(waiting).isNotDone();
        assertThat(rotate(pair).expect(200).json().get("account").asText()).isEqualTo(blue);
        HttpResponse<String> woken = waiting.get(3, TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.headers().firstValue("ETag")).contains("\"v3\"");
        JsonNode third = new TestVault.Response(200, woken.body()).json();
        assertThat(third.get("username").asText()).isEqualTo(blue);
        assertThat(postgres.canLogIn(blue, third.get("value").asText())).isTrue();
        assertThat(postgres.canLogIn(blue, first.get("value").asText())).as("blue's first password is retired").isFalse();
        assertThat(postgres.canLogIn(green, second.get("value").asText())).isTrue();
        assertThat(woken.body()).doesNotContain(second.get("value").asText());

        String view = vault.call("GET", "/v1/escrow/" + pair, vault.adminToken(), null).expect(200).body();
        assertThat(view).doesNotContain(third.get("value").asText()).contains("\"version\":3");
    }

    @Test
    void aProxyRouteOverAPairLogsInAsWhicheverAccountIsActive() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        createPair(pair, blue, green).expect(201);
        Map<String, Object> route = Map.of("protocol", "postgresql", "secret_id", pair, "upstream", "127.0.0.1:" + postgres.port(),
                "database", "postgres");
        Map<String, Object> naming = new java.util.HashMap<>(route);
        naming.put("username", blue);
        assertThat(vault.call("PUT", "/v1/proxy/routes/" + pair, vault.adminToken(), naming).expect(400).body()).contains("active account");
        vault.approved("PUT", "/v1/proxy/routes/" + pair, route).expect(200);
        vault.putPolicy("""
                @id("start") permit(principal, action == Ephemera::Action::"StartTask", resource);
                @id("proxy") permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role)
                when { resource.backend == "proxy" };
                """);
        String task = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "settle the ledger"))
                .expect(201).json().get("task_token").asText();
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/" + pair + "/lease", task, Map.of()).expect(201).json()
                .get("credential");

        try (Connection before = ProxySessions.postgres(credential)) {
            assertThat(currentUser(before)).isEqualTo(blue);
            assertThat(rotate(pair).expect(200).json().get("account").asText()).isEqualTo(green);
            try (Connection after = ProxySessions.postgres(credential)) {
                assertThat(currentUser(after)).as("a new session logs in as the newly active account").isEqualTo(green);
            }
            assertThat(currentUser(before)).as("a session opened before the switch goes on").isEqualTo(blue);
        }
    }

    @Test
    void aPairIsDissolvedOnceNoRouteUsesItAndItsAccountsGoOnAlone() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        createPair(pair, blue, green).expect(201);
        String token = grant(pair);
        vault.approved("PUT", "/v1/proxy/routes/" + pair, Map.of("protocol", "postgresql", "secret_id", pair,
                "upstream", "127.0.0.1:" + postgres.port(), "database", "postgres")).expect(200);
        assertThat(vault.call("PUT", "/v1/escrow/" + pair + "/value", vault.adminToken(), Map.of("value", "x")).expect(409).body())
                .contains("is a blue/green pair of " + blue + " and " + green);
        assertThat(vault.call("POST", "/v1/escrow/" + pair + "/reveal", vault.adminToken(), Map.of("reason", "audit")).expect(409)
                .body()).contains("name one of its accounts");
        assertThat(vault.call("DELETE", "/v1/escrow/" + pair, vault.adminToken(), null).expect(409).body())
                .contains("proxy route " + pair);
        vault.approved("PUT", "/v1/proxy/routes/" + pair, Map.of("protocol", "postgresql", "secret_id", blue,
                "upstream", "127.0.0.1:" + postgres.port(), "database", "postgres")).expect(200);

        vault.call("DELETE", "/v1/escrow/" + pair, vault.adminToken(), null).expect(204);

        vault.call("GET", "/v1/escrow/" + pair, vault.adminToken(), null).expect(404);
        vault.call("GET", "/v1/escrow/" + pair + "/current", token, null).expect(401);
        JsonNode rotated = rotate(green).expect(200).json();
        assertThat(rotated.get("secret").get("id").asText()).isEqualTo(green);
        vault.call("DELETE", "/v1/escrow/" + green, vault.adminToken(), null).expect(204);
        vault.call("DELETE", "/v1/escrow/" + blue, vault.adminToken(), null).expect(409);
    }

    private static String currentUser(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT current_user")) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    void aPlannedPairIsRotatedByTheScheduler() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        createPair(pair, blue, green).expect(201);
        JsonNode planned = vault.call("PUT", "/v1/escrow/" + pair + "/rotation", vault.adminToken(), Map.of("period", "1h"))
                .expect(200).json();
        assertThat(planned.get("rotation").get("period_seconds").asLong()).isEqualTo(3600);
        assertThat(planned.has("next_rotation_at")).isTrue();

        vault.server().bean(RotationScheduler.class).rotateNow(new RotationScheduler.Entry("default", pair));
        Eventually.within(Duration.ofSeconds(5), "the scheduler switches the pair", () -> vault.call("GET", "/v1/escrow/" + pair,
                vault.adminToken(), null).json().get("active").asText().equals(green));
        assertThat(vault.call("DELETE", "/v1/escrow/" + pair + "/rotation", vault.adminToken(), null).expect(200).json()
                .has("rotation")).isFalse();
    }

    @Test
    void badInputsAndDirectUseOfAPairedAccountAreRefused() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String other = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        createPair(pair, blue, "not-escrowed").expect(400);
        createPair(pair, blue, blue).expect(400);
        createPair("Bad Id", blue, green).expect(400);
        vault.call("POST", "/v1/escrow/pairs", vault.adminToken(), Map.of("id", pair, "blue", blue)).expect(400);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "manual-" + pair, "value", "x")).expect(201);
        createPair(pair, blue, "manual-" + pair).expect(400);
        createPair(other, blue, green).expect(409);
        vault.call("PUT", "/v1/escrow/" + other + "/rotation", vault.adminToken(), Map.of("period", "1h")).expect(200);
        assertThat(createPair(pair, blue, other).expect(400).json().get("message").asText()).contains("rotation plan");
        vault.call("GET", "/v1/escrow/" + pair, vault.adminToken(), null).expect(404);
        rotate(pair).expect(404);

        createPair(pair, blue, green).expect(201);
        createPair(pair, other, blue).expect(409);
        createPair("pair-" + NEXT.incrementAndGet(), blue, other).expect(409);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", pair, "backend", "pg", "account", blue, "value", "x"))
                .expect(409);
        assertThat(rotate(blue).expect(409).json().get("message").asText()).contains(pair);
        vault.call("PUT", "/v1/escrow/" + green + "/rotation", vault.adminToken(), Map.of("period", "1h")).expect(409);
        assertThat(vault.call("PUT", "/v1/libraries/lib-" + pair, vault.adminToken(), Map.of("accounts", List.of(green)))
                .expect(400).json().get("message").asText()).contains(pair);
        vault.call("PUT", "/v1/escrow/" + pair + "/value", vault.adminToken(), Map.of("value", "x")).expect(409);
    }

    /**
     * A pool of four serves queries from six threads while the pair switches ten times; each switch
     * soft-evicts the pool, so new connections log in as the other account. Not one query may fail.
     */
    @Test
    void aHikariPoolOverAPairServesEveryQueryAcrossTenSwitches() throws Exception {
        String blue = newEscrowedRole();
        String green = newEscrowedRole();
        String pair = "pair-" + NEXT.incrementAndGet();
        createPair(pair, blue, green).expect(201);
        int switches = 10;
        EscrowConsumer consumer = EscrowConsumer.builder().address(vault.address()).consumerToken(grant(pair))
                .pollWait(Duration.ofSeconds(5)).build();
        try (SecretWatcher watcher = consumer.watch(pair)) {
            RotatingDataSource rotating = new RotatingDataSource(postgres.jdbcUrl(), watcher);
            try (PoolUnderLoad load = PoolUnderLoad.start("pair-" + pair, rotating, 6)) {
                for (int i = 0; i < switches; i++) {
                    awaitOverlap(rotate(pair).expect(200).json().get("pair"));
                }
                Eventually.within(Duration.ofSeconds(2), "every switch reported", () -> load.evictions() == switches);
                PoolUnderLoad.Result result = load.stop();

                System.out.printf("pair pool: %d queries, %d switches, %d failures%n", result.queries(), switches,
                        result.failures().size());
                assertThat(result.failures()).as("failed queries").isEmpty();
                assertThat(result.queries()).isGreaterThan(500);
                assertThat(result.users()).containsExactlyInAnyOrder(blue, green);
                assertThat(watcher.latest().orElseThrow().version()).isEqualTo(1 + switches);
            }
        }
    }

    private static void awaitOverlap(JsonNode pairView) throws InterruptedException {
        Eventually.until(Instant.parse(pairView.get("next_allowed_at").asText()).plusMillis(50));
    }

    private static TestVault.Response createPair(String id, String blue, String green) {
        return vault.call("POST", "/v1/escrow/pairs", vault.adminToken(), Map.of("id", id, "blue", blue, "green", green));
    }

    private static TestVault.Response rotate(String id) {
        return vault.call("POST", "/v1/escrow/" + id + "/rotate", vault.adminToken(), null);
    }

    private static String grant(String id) {
        return vault.approved("POST", "/v1/escrow/" + id + "/consumers", Map.of("name", "legacy-app"))
                .expect(201).json().get("token").asText();
    }

    private static JsonNode read(String id, String token) {
        return vault.call("GET", "/v1/escrow/" + id + "/current", token, null).expect(200).json();
    }

    private static String newEscrowedRole() throws SQLException {
        String role = "dual_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "pg", "account", role, "value", initial))
                .expect(201);
        return role;
    }
}
