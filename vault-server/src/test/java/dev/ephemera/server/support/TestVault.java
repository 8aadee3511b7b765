package dev.ephemera.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ephemera.client.Ephemera;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.server.EphemeraServer;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.dev.DevIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real vault server on a temporary data directory, configured through its own admin API, with a
 * registered agent whose workload tokens come from a local Ed25519 issuer. Restartable on the same
 * directory, to test recovery.
 */
public final class TestVault implements AutoCloseable {
    public static final String AGENT = "test-agent";
    public static final String AGENT_SUBJECT = "spiffe://test.local/agents/test-agent";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short backoff so that retry behaviour shows within a test's patience. */
    private static final Map<String, Object> FAST_RETRIES = Map.of(
            "ephemera.revocation.initial-backoff", "100ms",
            "ephemera.revocation.max-backoff", "500ms");

    /** Installed at start so that tests about other things are not about policy; policy tests replace it. */
    public static final String ALLOW_ALL = "@id(\"test-allow-all\") permit(principal, action, resource);";

    private final Path dataDir;
    private final Path keyFile;
    private final DevIssuer issuer;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Object> config;
    private EphemeraServer server;
    private int port;
    private String adminToken;
    private java.util.List<String> approvers;

    private TestVault(Path dataDir, Map<String, Object> overrides) {
        this.dataDir = dataDir;
        Map<String, Object> config = new java.util.HashMap<>(FAST_RETRIES);
        config.putAll(overrides);
        this.config = Map.copyOf(config);
        this.keyFile = dataDir.resolve("unseal.key");
        this.issuer = DevIssuer.loadOrCreate(dataDir.resolve("issuer.jwk"));
    }

    public static TestVault start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /** With configuration overrides on top of the fast retries, e.g. {@code ephemera.revocation.max-attempts}. */
    public static TestVault start(Path dataDir, Map<String, Object> overrides) {
        TestVault vault = new TestVault(dataDir, overrides);
        try (UnsealKey key = UnsealKey.generate()) {
            Files.writeString(vault.keyFile, key.toBase64());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        vault.startServer(0);
        vault.adminToken = vault.server.bean(Tokens.class).issueOperator("test-admin", "default");
        vault.approvers = java.util.List.of(vault.server.bean(Tokens.class).issueAdmin("approver-one@example.com", "default"),
                vault.server.bean(Tokens.class).issueAdmin("approver-two@example.com", "default"));
        vault.call("PUT", "/v1/issuers/test", vault.adminToken, Map.of(
                "issuer", DevIssuer.ISSUER, "audience", DevIssuer.AUDIENCE,
                "jwks", vault.issuer.issuer().jwks(), "algorithms", java.util.List.of("EdDSA"))).expect(200);
        vault.call("PUT", "/v1/agents/" + AGENT, vault.adminToken, Map.of(
                "owner", "alice@example.com", "purpose", "integration tests", "issuer", "test",
                "subject", AGENT_SUBJECT)).expect(200);
        vault.call("POST", "/v1/agents/" + AGENT + "/activate", vault.adminToken, null).expect(200);
        vault.putPolicy(ALLOW_ALL);
        return vault;
    }

    private void startServer(int requestedPort) {
        server = EphemeraServer.start(dataDir, keyFile, "127.0.0.1", requestedPort, config);
        port = server.address().getPort();
    }

    /** Stops the server as a crash-free shutdown would, leaving the data directory as it is. */
    public void stop() {
        server.close();
        server = null;
    }

    /**
     * Starts again on the same data directory. The port is a new ephemeral one: the old one may
     * already belong to an outgoing connection of this JVM, so clients are built after a restart.
     */
    public void restart() {
        if (server != null) {
            stop();
        }
        startServer(0);
    }

    public void configurePostgres(String backend, String jdbcUrl, String user, String password) {
        call("PUT", "/v1/backends/" + backend, adminToken, Map.of(
                "type", "postgresql", "connection_url", jdbcUrl, "username", user, "password", password)).expect(200);
        call("PUT", "/v1/backends/" + backend + "/roles/readonly", adminToken, Map.of(
                "creation_statements", java.util.List.of(
                        "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}",
                        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}}"),
                "default_ttl", "5m", "max_ttl", "1h")).expect(200);
    }

    /** Uploads Cedar policy text as the default tenant's policy set; returns the response. */
    public Response putPolicy(String policies) {
        return call("PUT", "/v1/policies", adminToken, Map.of("policies", policies)).expect(200);
    }

    /**
     * A break-glass call of the operator ({@code POST /v1/escrow/{id}/consumers}, {@code PUT
     * /v1/proxy/routes/{name}}): filed (202), approved by the two approvers registered at start, and
     * asked again naming the approval. Returns the last answer.
     */
    public Response approved(String method, String path, Map<String, ?> body) {
        String approval = call(method, path, adminToken, body).expect(202).json().get("approval_id").asText();
        approve(approval);
        Map<String, Object> again = new java.util.HashMap<>(body);
        again.put("approval_id", approval);
        return call(method, path, adminToken, again);
    }

    /** Both registered approvers approve the request. */
    public void approve(String approvalId) {
        approvers.forEach(token -> call("POST", "/v1/approvals/" + approvalId + "/approve", token, Map.of()).expect(200));
    }

    public Ephemera client() {
        return Ephemera.builder().address(address()).workloadToken(this::workloadToken).build();
    }

    public String workloadToken() {
        return issuer.mint(AGENT_SUBJECT, Duration.ofMinutes(5));
    }

    public DevIssuer issuer() {
        return issuer;
    }

    public URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String adminToken() {
        return adminToken;
    }

    public Path dataDir() {
        return dataDir;
    }

    public EphemeraServer server() {
        return server;
    }

    /** A raw HTTP call: body may be null, a String sent as is, or an object sent as JSON. */
    public Response call(String method, String path, String bearer, Object body) {
        try {
            String payload = body == null ? "" : body instanceof String s ? s : JSON.writeValueAsString(body);
            HttpRequest.Builder request = HttpRequest.newBuilder(address().resolve(path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(payload));
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            stop();
        }
    }
}
