package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded, seeded fuzzer over every route of the API, against the real server and PostgreSQL
 * (issue 11, "keep it fixed"): random methods, paths, ids, headers, tokens of every kind (valid and
 * not), and bodies (valid shapes with mutated fields, wrong types, huge numbers, unicode, nested
 * junk, unknown fields, truncated JSON, wrong content types). No answer may be a 5xx, name a Java
 * type or carry a stack trace, or hold a secret issued before the run (lease passwords, escrowed
 * values, tokens) except the one answer that legitimately returns it; the vault is healthy after.
 * The seed is printed; {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.requests=N} sizes it.
 */
class ApiFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(java|javax|jakarta|dev\\.ephemera|io\\.micronaut|io\\.netty|com\\.fasterxml)\\.[a-z]|Exception|\\n\\s*at [a-z]|\\tat ");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of("ephemera.proxy.http.port", 0, "ephemera.proxy.postgres.port", 0));

    /** Every route of the controllers (api/*Controller.java), with a body of the shape it takes. */
    private record Route(String method, String path, Map<String, Object> body) {}

    private final Map<String, List<String>> ids = new LinkedHashMap<>();
    private final List<String> secrets = new ArrayList<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private String escrowValue;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyRouteAnswersHostileInputWithoutA5xxAJavaNameOrASecret() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int requests = Integer.getInteger("fuzz.requests", 5_000);
        System.out.println("ApiFuzzTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + "), " + requests + " requests");
        TestVault vault = env.vault();
        issueSecrets(vault);
        List<Route> routes = routes(vault);
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < requests && failures.size() < 20; i++) {
            if (i % 100 == 99) {
                tokens.put("task", newTask(vault)); // a fuzzed /v1/tasks/self/end may have ended the last one
            }
            Route route = routes.get(random.nextInt(routes.size()));
            String method = random.nextInt(10) < 8 ? route.method() : METHODS.get(random.nextInt(METHODS.size()));
            String path = path(random, route.path());
            // half the time a token a route takes, else any kind (valid or not)
            String tokenKind = random.nextBoolean() ? pick(random, List.of("admin", "task", "workload"))
                    : pick(random, List.copyOf(tokens.keySet()));
            String authorization = authorization(random, tokenKind);
            String contentType = random.nextInt(10) < 8 ? "application/json"
                    : pick(random, List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "", "application/json; charset=latin1"));
            String body = body(random, route.body());
            HttpResponse<String> response = send(vault.address(), method, path, authorization, contentType, body, random);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            String problem = problem(response, path, tokenKind);
            if (problem != null) {
                failures.add(problem + "\n    request #" + i + ": " + method + " " + path + " (" + tokenKind + ", " + contentType + ") "
                        + abbreviate(body) + "\n    answer " + response.statusCode() + ": " + abbreviate(response.body()));
            }
        }
        System.out.println("ApiFuzzTest: " + requests + " requests in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms; statuses "
                + statuses);
        assertThat(failures).as("seed " + seed + ": replay with -Dfuzz.seed=" + seed).isEmpty();
        assertThat(vault.call("GET", "/v1/sys/health", null, null).status()).isEqualTo(200);
    }

    /** Leases, escrowed values and tokens that no answer but the one issuing it may carry. */
    private void issueSecrets(TestVault vault) throws Exception {
        String task = newTask(vault);
        List<String> leases = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode lease = vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "readonly", "ttl", "10m"))
                    .expect(201).json();
            leases.add(lease.path("lease_id").asText());
            secrets.add(lease.path("credential").path("password").asText());
        }
        escrowValue = "fuzz-escrowed-" + dev.ephemera.crypto.SecretGenerator.password(24);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "fuzz-key", "value", escrowValue)).expect(201);
        secrets.add(escrowValue);
        String consumer = vault.approved("POST", "/v1/escrow/fuzz-key/consumers", Map.of("name", "fuzz-app"))
                .expect(201).json().path("token").asText();
        vault.approved("PUT", "/v1/proxy/routes/fuzz-route", Map.of("protocol", "http", "secret_id", "fuzz-key",
                "upstream", "http://127.0.0.1:1/", "scheme", "bearer")).expect(200);
        String proxyToken = vault.call("POST", "/v1/proxy/routes/fuzz-route/lease", task, Map.of()).expect(201).json()
                .path("credential").path("token").asText();
        String approval = vault.call("POST", "/v1/escrow/fuzz-key/reveal", vault.adminToken(), Map.of("reason", "fuzz")).json()
                .path("approval_id").asText();
        tokens.put("admin", vault.adminToken());
        tokens.put("task", task);
        tokens.put("workload", vault.workloadToken());
        tokens.put("consumer", consumer);
        tokens.put("proxy", proxyToken);
        tokens.put("none", "");
        tokens.put("forged-admin", "eph_admin_" + "A".repeat(43));
        tokens.put("forged-task", "eph_task_not-a-task");
        tokens.put("forged-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        secrets.addAll(List.of(vault.adminToken(), task, consumer, proxyToken));
        ids.put("lease", leases);
        ids.put("escrow", List.of("fuzz-key", "nope"));
        ids.put("approval", List.of(approval, "appr_nope"));
        ids.put("task", List.of(vault.call("GET", "/v1/tasks/self", task, null).json().path("task_id").asText()));
        ids.put("name", List.of("pg", "readonly", "test", "fuzz-route", "fuzz-lib", "nope"));
        // the agent the fuzzer's tasks act for is never suspended or offboarded by it: another one is
        ids.put("agent", List.of("fuzz-agent", "nope"));
    }

    private static String newTask(TestVault vault) {
        return vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "fuzz", "ttl", "1h")).expect(201)
                .json().path("task_token").asText();
    }

    private List<Route> routes(TestVault vault) {
        String pg = env.postgres().jdbcUrl();
        return List.of(
                new Route("PUT", "/v1/backends/{name}", Map.of("type", "postgresql", "connection_url", pg, "username", "u", "password", "p")),
                new Route("GET", "/v1/backends", null),
                new Route("GET", "/v1/backends/{name}", null),
                new Route("PUT", "/v1/backends/{name}/roles/{name}", Map.of("creation_statements",
                        List.of("CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}"), "default_ttl", "5m", "max_ttl", "1h")),
                new Route("GET", "/v1/backends/{name}/roles/{name}", null),
                new Route("PUT", "/v1/issuers/{name}", Map.of("issuer", "http://127.0.0.1:1/fuzz", "audience", "ephemera",
                        "jwks", Map.of("keys", List.of()), "algorithms", List.of("EdDSA"))),
                new Route("GET", "/v1/issuers", null),
                new Route("PUT", "/v1/agents/{agent}", Map.of("owner", "fuzz@example.com", "purpose", "p", "issuer", "test",
                        "subject", "spiffe://test.local/agents/fuzz", "tools", List.of("sql"), "trust_level", 1)),
                new Route("POST", "/v1/agents/{agent}/activate", null),
                new Route("POST", "/v1/agents/{agent}/suspend", Map.of("reason", "r")),
                new Route("POST", "/v1/agents/{agent}/offboard", Map.of("reason", "r")),
                new Route("POST", "/v1/agents/{agent}/approve-manifest", Map.of("digest", "sha256:" + "a".repeat(64))),
                new Route("GET", "/v1/agents/{agent}", null),
                new Route("GET", "/v1/approvals/{approval}?wait=0s", null),
                new Route("GET", "/v1/approvals", null),
                new Route("POST", "/v1/approvals/{approval}/approve", Map.of("comment", "ok")),
                new Route("POST", "/v1/approvals/{approval}/deny", Map.of("comment", "no")),
                new Route("POST", "/v1/escrow", Map.of("id", "fuzz-new", "value", "v", "rotation", Map.of("period", "1d"))),
                new Route("GET", "/v1/escrow", null),
                new Route("POST", "/v1/escrow/pairs", Map.of("id", "fuzz-pair", "blue", "a", "green", "b")),
                new Route("GET", "/v1/escrow/{escrow}", null),
                new Route("POST", "/v1/escrow/{escrow}/rotate", null),
                new Route("DELETE", "/v1/escrow/{escrow}", null),
                new Route("PUT", "/v1/escrow/{escrow}/value", Map.of("value", "new")),
                new Route("PUT", "/v1/escrow/{escrow}/rotation", Map.of("period", "1d", "window_start", "02:00", "window_end", "04:00")),
                new Route("DELETE", "/v1/escrow/{escrow}/rotation", null),
                new Route("POST", "/v1/escrow/{escrow}/consumers", Map.of("name", "app")),
                new Route("GET", "/v1/escrow/{escrow}/consumers", null),
                new Route("DELETE", "/v1/escrow/{escrow}/consumers/{name}", null),
                new Route("POST", "/v1/escrow/{escrow}/reveal", Map.of("reason", "incident", "approval_id", "appr_x")),
                new Route("GET", "/v1/escrow/{escrow}/current?wait=0s", null),
                new Route("POST", "/v1/leases", Map.of("backend", "pg", "role", "readonly", "ttl", "1m")),
                new Route("GET", "/v1/leases/{lease}", null),
                new Route("POST", "/v1/leases/{lease}/renew", Map.of("increment", "1m")),
                new Route("POST", "/v1/leases/{lease}/revoke", null),
                new Route("GET", "/v1/leases?state=active", null),
                new Route("POST", "/v1/leases/{lease}/force-revoke", Map.of("reason", "gone")),
                new Route("PUT", "/v1/libraries/{name}", Map.of("accounts", List.of("fuzz-key"), "max_ttl", "1h")),
                new Route("GET", "/v1/libraries", null),
                new Route("GET", "/v1/libraries/{name}", null),
                new Route("POST", "/v1/libraries/{name}/check-out", Map.of("ttl", "1m")),
                new Route("PUT", "/v1/policies", Map.of("policies", TestVault.ALLOW_ALL)),
                new Route("GET", "/v1/policies", null),
                new Route("GET", "/v1/policies/versions", null),
                new Route("GET", "/v1/policies/versions/1", null),
                new Route("POST", "/v1/policies/rollback", Map.of("version", 1)),
                new Route("GET", "/v1/policies/schema", null),
                new Route("PUT", "/v1/proxy/routes/{name}", Map.of("protocol", "http", "secret_id", "fuzz-key",
                        "upstream", "http://127.0.0.1:1/", "scheme", "bearer", "default_ttl", "5m")),
                new Route("GET", "/v1/proxy/routes", null),
                new Route("GET", "/v1/proxy/routes/{name}", null),
                new Route("POST", "/v1/proxy/routes/{name}/lease", Map.of("ttl", "1m")),
                new Route("GET", "/v1/proxy/connections?task_id={task}", null),
                new Route("POST", "/v1/revocations", Map.of("task_id", "{task}")),
                new Route("GET", "/v1/revocations/bulk_nope", null),
                new Route("GET", "/v1/sys/health", null),
                new Route("GET", "/v1/sys/proxy-ca", null),
                new Route("GET", "/v1/sys/metrics", null),
                new Route("POST", "/v1/sys/admin-tokens", Map.of("name", "fuzzer", "tenant", "fuzz")),
                new Route("POST", "/v1/tasks", Map.of("objective", "o", "ttl", "5m", "tools", List.of("sql"), "sensitivity", "internal")),
                new Route("POST", "/v1/tasks/self/delegations", Map.of("agent_id", TestVault.AGENT, "objective", "sub", "ttl", "5m")),
                new Route("GET", "/v1/tasks/self", null),
                new Route("GET", "/v1/tasks/self/decisions", null),
                new Route("GET", "/v1/tasks/{task}/decisions", null),
                new Route("POST", "/v1/tasks/self/end", null));
    }

    // ---- generation

    private String path(Random random, String template) {
        StringBuilder path = new StringBuilder();
        java.util.regex.Matcher m = Pattern.compile("\\{(\\w+)}").matcher(template);
        int end = 0;
        while (m.find()) {
            path.append(template, end, m.start()).append(id(random, m.group(1)));
            end = m.end();
        }
        path.append(template.substring(end));
        return switch (random.nextInt(20)) {
            case 0 -> path + "/" + junkSegment(random);
            case 1 -> path.toString().replaceFirst("/[^/]*$", "");
            case 2 -> path.toString().replace("/v1/", "/v1//");
            case 3 -> path + (path.indexOf("?") < 0 ? "?" : "&") + pick(random, List.of("wait=junk", "wait=1s", "state=bogus",
                    "task_id=%00", "x=" + "y".repeat(2000), "wait=-5s", "state=revoking"));
            default -> path.toString();
        };
    }

    private String id(Random random, String kind) {
        if (random.nextInt(10) < 6) {
            return pick(random, ids.getOrDefault(kind, ids.get("name")));
        }
        return junkSegment(random);
    }

    private static String junkSegment(Random random) {
        return pick(random, List.of("..%2F..%2Fbackends", "%E2%98%83", "x".repeat(300), "UPPER", "-lead", "a.b", "lease_" + random.nextInt(1000),
                "task_zzz", "%00", "%25", "appr_" + random.nextInt(99), "%F0%9F%92%A3", "1e400", "18446744073709551676",
                "%22%3E%3Cscript%3E", "eph_task_x", String.valueOf(random.nextLong())));
    }

    private String authorization(Random random, String kind) {
        String token = tokens.get(kind);
        if (kind.equals("workload")) {
            token = env.vault().workloadToken();
        }
        return switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> "Basic " + token;
            case 2 -> "Bearer " + token + "x";
            case 3 -> "Bearer    ";
            case 4 -> "bearer " + token;
            default -> "Bearer " + token;
        };
    }

    private String body(Random random, Map<String, Object> shape) {
        int kind = random.nextInt(16);
        if (shape == null && kind < 10) {
            return random.nextBoolean() ? null : "{}";
        }
        Map<String, Object> body = new LinkedHashMap<>(shape == null ? Map.of() : shape);
        body.replaceAll((k, v) -> v instanceof String s && s.equals("{task}") ? ids.get("task").getFirst() : v);
        try {
            return switch (kind) {
                case 0, 1, 2 -> JSON.writeValueAsString(body);
                case 3, 4, 5, 6 -> JSON.writeValueAsString(mutate(random, body));
                case 7 -> {
                    String text = JSON.writeValueAsString(mutate(random, body));
                    yield text.substring(0, random.nextInt(Math.max(1, text.length())));
                }
                case 8 -> {
                    body.put(pick(random, List.of("tll", "extra", "Backend", "ttl ", "\u00fcber", "__proto__")), "5m");
                    yield JSON.writeValueAsString(body);
                }
                case 9 -> pick(random, List.of("[]", "\"text\"", "42", "null", "true", "{", "}", "{\"a\":}", "<xml/>", "a=b&c=d", "",
                        "{\"ttl\":18446744073709551676}", "{\"ttl\":1e400}", "{\"ttl\":-1e-400}", "\u0000\u0001", "{\"\":\"\"}",
                        "[".repeat(3000) + "]".repeat(3000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000)));
                case 10 -> JSON.writeValueAsString(Map.of("nested", nested(random, 30)));
                default -> JSON.writeValueAsString(mutate(random, mutate(random, body)));
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> mutate(Random random, Map<String, Object> body) {
        Map<String, Object> mutated = new LinkedHashMap<>(body);
        if (mutated.isEmpty() || random.nextInt(5) == 0) {
            mutated.put(pick(random, List.of("ttl", "backend", "value", "id", "name", "reason", "objective")), junkValue(random));
            return mutated;
        }
        String field = pick(random, List.copyOf(mutated.keySet()));
        if (random.nextInt(6) == 0) {
            mutated.remove(field);
        } else {
            mutated.put(field, junkValue(random));
        }
        return mutated;
    }

    private static Object junkValue(Random random) {
        return switch (random.nextInt(18)) {
            case 0 -> new java.math.BigInteger("18446744073709551676");
            case 1 -> new java.math.BigDecimal("1e400");
            case 2 -> -1;
            case 3 -> 0;
            case 4 -> Long.MAX_VALUE;
            case 5 -> 1.5;
            case 6 -> true;
            case 7 -> List.of(1, "two", List.of());
            case 8 -> Map.of("a", Map.of("b", List.of(Map.of())));
            case 9 -> "\u202e\u0000\ud83d\udca3 \u00e9\u4e2d";
            case 10 -> "x".repeat(10_000);
            case 11 -> "";
            case 12 -> "   ";
            case 13 -> "'; DROP TABLE inventory; --";
            case 14 -> "{{name}}";
            case 15 -> "99999999999999h";
            case 16 -> List.of("a", "b");
            default -> "../../etc/passwd";
        };
    }

    private static Object nested(Random random, int depth) {
        return depth == 0 ? "leaf" : random.nextBoolean() ? List.of(nested(random, depth - 1)) : Map.of("k", nested(random, depth - 1));
    }

    private static <T> T pick(Random random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    // ---- sending and judging

    private HttpResponse<String> send(URI base, String method, String path, String authorization, String contentType, String body,
                                      Random random) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (random.nextInt(8) == 0) {
            request.header(pick(random, List.of("X-Forwarded-For", "Accept", "X-Junk", "Accept-Encoding", "If-None-Match")),
                    pick(random, List.of("*/*", "text/html", "gzip", "\"v999\"", "1.2.3.4, 5.6.7.8", "x".repeat(4000))));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String problem(HttpResponse<String> response, String path, String tokenKind) {
        if (response.statusCode() >= 500) {
            return "a 5xx";
        }
        String body = response.body() == null ? "" : response.body();
        if (JAVA_NAME.matcher(body).find()) {
            return "a Java name or stack frame";
        }
        // The one legitimate carrier of the escrowed value: its consumer reading the current version.
        boolean consumerRead = tokenKind.equals("consumer") && path.startsWith("/v1/escrow/fuzz-key/current") && response.statusCode() == 200;
        for (String secret : secrets) {
            if (body.contains(secret) && !(consumerRead && secret.equals(escrowValue))) {
                return "an issued secret echoed";
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "(no body)";
        }
        return text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + " chars)" : text;
    }
}
