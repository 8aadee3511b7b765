package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ephemera.server.dev.DevIssuer;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every bad input is a 4xx with a JSON reason: never a 500, never a stack trace, never a secret. */
class ApiErrorsTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;
    static String taskToken;

    @BeforeAll
    static void start() {
        taskToken = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "errors")).expect(201)
                .json().path("task_token").asText();
    }

    @Test
    void noTokenIs401() {
        assertError(vault.call("POST", "/v1/tasks", null, Map.of("objective", "x")), 401, "unauthenticated");
    }

    @Test
    void randomBearerIs401() {
        assertError(vault.call("GET", "/v1/tasks/self", "eph_task_not-a-real-token", null), 401, "unauthenticated");
    }

    @Test
    void malformedJsonIs400() {
        assertError(vault.call("POST", "/v1/leases", taskToken, "{\"backend\": \"pg\", "), 400, "invalid_request");
    }

    @Test
    void unknownRoleIs404() {
        assertError(lease(Map.of("backend", "pg", "role", "nope")), 404, "not_found");
    }

    @Test
    void unknownBackendIs404() {
        assertError(lease(Map.of("backend", "nope", "role", "readonly")), 404, "not_found");
    }

    @Test
    void zeroTtlIs400() {
        assertError(lease(Map.of("backend", "pg", "role", "readonly", "ttl", 0)), 400, "invalid_request");
    }

    @Test
    void negativeTtlIs400() {
        assertError(lease(Map.of("backend", "pg", "role", "readonly", "ttl", -30)), 400, "invalid_request");
    }

    @Test
    void unreadableTtlIs400() {
        Response response = lease(Map.of("backend", "pg", "role", "readonly", "ttl", "soon"));
        assertError(response, 400, "invalid_request");
        assertThat(response.json().path("message").asText()).contains("ttl");
    }

    @Test
    void ttlAboveTheRoleMaxIs400() {
        Response response = lease(Map.of("backend", "pg", "role", "readonly", "ttl", "2h"));
        assertError(response, 400, "invalid_request");
        assertThat(response.json().path("message").asText()).contains("max_ttl");
    }

    @Test
    void missingBackendNameIs400() {
        assertError(lease(Map.of("role", "readonly")), 400, "invalid_request");
    }

    @Test
    void expiredWorkloadTokenIs401() {
        Instant past = Instant.now().minusSeconds(3600);
        assertError(startTask(sign(DevIssuer.AUDIENCE, past.minusSeconds(600), past)), 401, "unauthenticated");
    }

    @Test
    void notYetValidWorkloadTokenIs401() throws Exception {
        OctetKeyPair key = issuerKey();
        JWTClaimsSet claims = claims(DevIssuer.AUDIENCE, Instant.now(), Instant.now().plusSeconds(600))
                .notBeforeTime(Date.from(Instant.now().plusSeconds(300))).build();
        assertError(startTask(sign(key, claims)), 401, "unauthenticated");
    }

    @Test
    void wrongAudienceIs401() {
        assertError(startTask(sign("someone-else", Instant.now(), Instant.now().plusSeconds(300))), 401, "unauthenticated");
    }

    @Test
    void tokenSignedByAForeignKeyIs401() throws Exception {
        OctetKeyPair foreign = new OctetKeyPairGenerator(Curve.Ed25519).keyID("dev-1").generate();
        assertError(startTask(sign(foreign, claims(DevIssuer.AUDIENCE, Instant.now(), Instant.now().plusSeconds(300)).build())),
                401, "unauthenticated");
    }

    @Test
    void unsignedAlgNoneTokenIs401() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"iss\":\"" + DevIssuer.ISSUER + "\",\"aud\":\"ephemera\",\"sub\":\"" + TestVault.AGENT_SUBJECT
                + "\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}");
        assertError(startTask(header + "." + payload + "."), 401, "unauthenticated");
    }

    @Test
    void tokenForAnUnregisteredAgentIs403() throws Exception {
        JWTClaimsSet claims = claims(DevIssuer.AUDIENCE, Instant.now(), Instant.now().plusSeconds(300))
                .subject("spiffe://test.local/agents/stranger").build();
        assertError(startTask(sign(issuerKey(), claims)), 403, "forbidden");
    }

    @Test
    void taskTokenOnAnAdminCallIs403() {
        assertError(vault.call("GET", "/v1/backends", taskToken, null), 403, "forbidden");
    }

    /** Found by ApiFuzzTest (seed 11520286954806): an escaped '/' in a consumer id reached the store as a key part (500). */
    @Test
    void aConsumerIdNoGrantCouldHaveIsNotFound() {
        assertError(vault.call("DELETE", "/v1/escrow/some-key/consumers/..%2F..%2Fbackends", vault.adminToken(), null), 404,
                "not_found");
    }

    @Test
    void adminTokenCannotLease() {
        assertError(vault.call("POST", "/v1/leases", vault.adminToken(), Map.of("backend", "pg", "role", "readonly")), 403, "forbidden");
    }

    @Test
    void anotherTasksLeaseDoesNotExistForThisTask() {
        String otherTask = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "other")).expect(201)
                .json().path("task_token").asText();
        String leaseId = vault.call("POST", "/v1/leases", otherTask, Map.of("backend", "pg", "role", "readonly")).expect(201)
                .json().path("lease_id").asText();
        assertError(vault.call("GET", "/v1/leases/" + leaseId, taskToken, null), 404, "not_found");
        assertError(vault.call("POST", "/v1/leases/" + leaseId + "/revoke", taskToken, null), 404, "not_found");
        vault.call("POST", "/v1/tasks/self/end", otherTask, null).expect(200);
    }

    @Test
    void malformedLeaseIdIs404() {
        assertError(vault.call("GET", "/v1/leases/..%2F..%2Fbackend", taskToken, null), 404, "not_found");
    }

    @Test
    void unknownRouteIs404InTheSameShape() {
        assertError(vault.call("GET", "/v1/nothing-here", taskToken, null), 404, "not_found");
    }

    @Test
    void oversizedBodyIs413() {
        String huge = "{\"objective\":\"" + "x".repeat(400 * 1024) + "\"}";
        Response response = vault.call("POST", "/v1/tasks", vault.workloadToken(), huge);
        assertThat(response.status()).isEqualTo(413);
    }

    @Test
    void backendWithAWrongPasswordIs400WithoutEchoingIt() {
        String wrong = "Wrong-Password-" + System.nanoTime();
        Response response = vault.call("PUT", "/v1/backends/bad", vault.adminToken(), Map.of("type", "postgresql",
                "connection_url", postgres.jdbcUrl(), "username", postgres.adminUser(), "password", wrong));
        assertError(response, 400, "invalid_request");
        assertThat(response.body()).contains("cannot connect").doesNotContain(wrong);
    }

    @Test
    void roleWithAnUnknownPlaceholderIs400() {
        Response response = vault.call("PUT", "/v1/backends/pg/roles/bad", vault.adminToken(), Map.of(
                "creation_statements", List.of("CREATE ROLE {{name}} PASSWORD {{password}} IN ROLE {{group}}")));
        assertError(response, 400, "invalid_request");
        assertThat(response.json().path("message").asText()).contains("{{group}}");
    }

    @Test
    void roleWithAQuotedPlaceholderIs400() {
        Response response = vault.call("PUT", "/v1/backends/pg/roles/bad", vault.adminToken(), Map.of(
                "creation_statements", List.of("CREATE ROLE \"{{name}}\" PASSWORD {{password}}")));
        assertError(response, 400, "invalid_request");
    }

    private static Response lease(Map<String, Object> body) {
        return vault.call("POST", "/v1/leases", taskToken, body);
    }

    private static Response startTask(String workloadToken) {
        return vault.call("POST", "/v1/tasks", workloadToken, Map.of("objective", "hostile"));
    }

    private static void assertError(Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("error").asText()).isEqualTo(code);
        assertThat(response.json().path("message").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static OctetKeyPair issuerKey() throws Exception {
        return OctetKeyPair.parse(java.nio.file.Files.readString(vault.dataDir().resolve("issuer.jwk")));
    }

    private static String sign(String audience, Instant issued, Instant expires) {
        try {
            return sign(issuerKey(), claims(audience, issued, expires).build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet.Builder claims(String audience, Instant issued, Instant expires) {
        return new JWTClaimsSet.Builder().issuer(DevIssuer.ISSUER).audience(audience).subject(TestVault.AGENT_SUBJECT)
                .issueTime(Date.from(issued)).expirationTime(Date.from(expires)).jwtID(java.util.UUID.randomUUID().toString());
    }

    private static String sign(OctetKeyPair key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new Ed25519Signer(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
