package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile workload tokens against the real server: each one is refused with 401 (or 403 once the
 * token is valid but its holder may not act), and none opens a task. Issuers here: an OIDC issuer
 * with static Ed25519 and RSA keys, a SPIFFE trust domain (JWT-SVIDs, ES256), and an OIDC issuer
 * whose keys are published over HTTP by a local server, found by discovery, rotated by key id.
 */
class WorkloadTokenHostileTest {
    private static final String ISS = "https://idp.hostile.test";
    private static final String AUD = "ephemera";
    private static final String SUBJECT = "workload:hostile-bot";
    private static final String SVID = "spiffe://prod.example/ns/agents/svid-bot";
    private static final String REMOTE_ISS_PATH = "/idp";

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestVault vault;
    static OctetKeyPair edKey;
    static RSAKey rsaKey;
    static ECKey svidKey;
    static HttpServer idp;
    static String remoteIss;
    static final AtomicReference<JWKSet> published = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        edKey = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        svidKey = new ECKeyGenerator(Curve.P_256).keyID("svid-1").generate();
        operator("PUT", "/v1/issuers/hostile", Map.of("issuer", ISS, "audience", AUD, "algorithms", List.of("EdDSA", "RS256"),
                "jwks", new JWKSet(List.of(edKey.toPublicJWK(), rsaKey.toPublicJWK())).toJSONObject(true))).expect(200);
        operator("PUT", "/v1/issuers/prod-spiffe", Map.of("kind", "spiffe-jwt", "trust_domain", "prod.example", "audience", AUD,
                "algorithms", List.of("ES256"), "jwks", new JWKSet(svidKey.toPublicJWK()).toJSONObject(true))).expect(200);
        registerAndActivate("hostile-bot", "hostile", SUBJECT);
        registerAndActivate("svid-bot", "prod-spiffe", SVID);
        startIdp();
    }

    @AfterAll
    static void stop() {
        idp.stop(0);
    }

    @Test
    void aValidTokenOpensATaskOnceAndItsReplayIsRefused() {
        String token = sign(edKey, JWSAlgorithm.EdDSA, claims().build());
        startTask(token).expect(201);
        assertRefused(startTask(token), 401, "already used");
    }

    @Test
    void aTokenWithoutJtiIsRefused() {
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().jwtID(null).build())), 401, "jti");
    }

    @Test
    void algNoneIsRefused() {
        String header = b64("{\"alg\":\"none\"}");
        String payload = b64(claims().build().toString());
        assertRefused(startTask(header + "." + payload + "."), 401, "unauthenticated");
    }

    @Test
    void hs256SignedWithTheIssuersRsaPublicKeyIsRefused() throws Exception {
        byte[] publicKeyAsSecret = rsaKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        String token = sign(new MACSigner(publicKeyAsSecret), new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                claims().build());
        assertRefused(startTask(token), 401, "HS256 is not allowed");
    }

    @Test
    void anRs256HeaderOnTheEd25519KeyIsRefused() throws Exception {
        String token = sign(new RSASSASigner(rsaKey), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ed-1").build(), claims().build());
        assertRefused(startTask(token), 401, "does not match key");
    }

    @Test
    void anAlgorithmOffTheIssuersListIsRefused() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ed-1").generate();
        assertRefused(startTask(sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ed-1").build(),
                claims().build())), 401, "ES256 is not allowed");
    }

    @Test
    void anUnknownIssuerIsRefused() {
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().issuer("https://idp.evil.test").build())), 401, "unknown issuer");
    }

    @Test
    void aWrongAudienceIsRefused() {
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().audience("vault-of-someone-else").build())), 401, "aud claim rejected");
    }

    @Test
    void anUnknownKeyIdIsRefused() throws Exception {
        OctetKeyPair stranger = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-2").generate();
        assertRefused(startTask(sign(stranger, JWSAlgorithm.EdDSA, claims().build())), 401, "unknown key id");
    }

    @Test
    void aForeignKeyUnderAKnownKeyIdIsRefused() throws Exception {
        OctetKeyPair impostor = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        assertRefused(startTask(sign(impostor, JWSAlgorithm.EdDSA, claims().build())), 401, "signature is invalid");
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String[] parts = sign(edKey, JWSAlgorithm.EdDSA, claims().build()).split("\\.");
        String forged = b64(claims().subject("workload:someone-else").build().toString());
        assertRefused(startTask(parts[0] + "." + forged + "." + parts[2]), 401, "signature is invalid");
    }

    @Test
    void anExpiredTokenIsRefused() {
        Instant past = Instant.now().minusSeconds(600);
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().issueTime(Date.from(past))
                .expirationTime(Date.from(past.plusSeconds(120))).build())), 401, "Expired");
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() {
        Instant later = Instant.now().plusSeconds(600);
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().issueTime(Date.from(later))
                .expirationTime(Date.from(later.plusSeconds(300))).build())), 401, "issued in the future");
    }

    @Test
    void aTokenThatLivesLongerThanADayIsRefused() {
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims()
                .expirationTime(Date.from(Instant.now().plus(Duration.ofDays(30)))).build())), 401, "longer than 24 hours");
    }

    @Test
    void aJwtSvidIsAcceptedAndMayBeReusedUntilItExpires() {
        String svid = signSvid(svidClaims().build());
        startTask(svid).expect(201);
        startTask(svid).expect(201);
    }

    @Test
    void aJwtSvidOfAnotherTrustDomainIsRefused() {
        assertRefused(startTask(signSvid(svidClaims().subject("spiffe://staging.example/ns/agents/svid-bot").build())),
                401, "unknown issuer");
    }

    /** SPIFFE-ID.md 2.2: a subject with a dot segment, an empty segment or no path names no workload of the domain. */
    @Test
    void aJwtSvidWhoseSubjectIsNoValidSpiffeIdIsRefused() {
        for (String subject : List.of("spiffe://prod.example/ns/agents/../agents/svid-bot", "spiffe://prod.example/ns//agents/svid-bot",
                "spiffe://prod.example/ns/agents/svid-bot/", "SPIFFE://prod.example/ns/agents/svid-bot")) {
            assertRefused(startTask(signSvid(svidClaims().subject(subject).build())), 401, "unknown issuer");
        }
        assertRefused(startTask(signSvid(svidClaims().subject("spiffe://prod.example").build())), 401,
                "JWT-SVID subject is not a SPIFFE ID of trust domain prod.example");
    }

    @Test
    void aJwtSvidWithoutAudienceIsRefused() {
        assertRefused(startTask(signSvid(svidClaims().audience((String) null).build())), 401, "aud");
    }

    @Test
    void aJwtSvidForAnotherAudienceIsRefused() {
        assertRefused(startTask(signSvid(svidClaims().audience("spire-server").build())), 401, "aud claim rejected");
    }

    @Test
    void aJwtSvidSignedOutsideTheBundleIsRefused() throws Exception {
        ECKey rogue = new ECKeyGenerator(Curve.P_256).keyID("svid-1").generate();
        assertRefused(startTask(sign(new ECDSASigner(rogue), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("svid-1").build(),
                svidClaims().build())), 401, "signature is invalid");
    }

    @Test
    void aValidTokenOfAnUnregisteredWorkloadIsForbidden() {
        assertRefused(startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().subject("workload:stranger").build())), 403,
                "no agent is registered");
    }

    @Test
    void aTaskTokenAfterItsTaskEndedIsRefused() {
        String task = startTask(sign(edKey, JWSAlgorithm.EdDSA, claims().build())).expect(201).json().get("task_token").asText();
        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);
        assertRefused(vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "readonly")), 403, "has ended");
    }

    @Test
    void keysPublishedByDiscoveryAreUsedAndARotatedKeyIdIsFetched() throws Exception {
        OctetKeyPair first = new OctetKeyPairGenerator(Curve.Ed25519).keyID("remote-1").generate();
        published.set(new JWKSet(first.toPublicJWK()));
        assertThat(operator("PUT", "/v1/issuers/remote", Map.of("issuer", remoteIss, "audience", AUD,
                "algorithms", List.of("EdDSA"), "jwks_uri", "discover")).expect(200).json().get("jwks_uri").asText())
                .as("found by discovery").isEqualTo(remoteIss + "/jwks");
        registerAndActivate("remote-bot", "remote", "workload:remote-bot");
        startTask(sign(first, JWSAlgorithm.EdDSA, remoteClaims().build())).expect(201);

        OctetKeyPair second = new OctetKeyPairGenerator(Curve.Ed25519).keyID("remote-2").generate();
        published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
        // The set was fetched moments ago: the new id is looked for again only after the refetch interval.
        assertRefused(startTask(sign(second, JWSAlgorithm.EdDSA, remoteClaims().build())), 401, "unknown key id");
        vault.call("PUT", "/v1/issuers/remote", vault.adminToken(), Map.of("issuer", remoteIss, "audience", AUD,
                "algorithms", List.of("EdDSA"), "jwks_uri", remoteIss + "/jwks")).expect(200);
        startTask(sign(second, JWSAlgorithm.EdDSA, remoteClaims().build())).expect(201);
    }

    @Test
    void keysAreNotFetchedOverPlainHttpFromAnotherHost() {
        Response refused = operator("PUT", "/v1/issuers/leaky", Map.of("issuer", "http://idp.example", "audience", AUD,
                "algorithms", List.of("EdDSA"), "jwks_uri", "http://idp.example/jwks")).expect(400);
        assertThat(refused.json().get("message").asText()).contains("https");
    }

    private static void startIdp() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        remoteIss = "http://127.0.0.1:" + idp.getAddress().getPort() + REMOTE_ISS_PATH;
        idp.createContext(REMOTE_ISS_PATH + "/.well-known/openid-configuration", exchange -> respond(exchange,
                "{\"issuer\":\"" + remoteIss + "\",\"jwks_uri\":\"" + remoteIss + "/jwks\"}"));
        idp.createContext(REMOTE_ISS_PATH + "/jwks", exchange -> respond(exchange, published.get().toString(true)));
        idp.start();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void registerAndActivate(String id, String issuer, String subject) {
        vault.call("PUT", "/v1/agents/" + id, vault.adminToken(), Map.of("owner", "erin@example.com", "purpose", "hostile tests",
                "issuer", issuer, "subject", subject)).expect(200);
        vault.call("POST", "/v1/agents/" + id + "/activate", vault.adminToken(), null).expect(200);
    }

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISS).audience(AUD).subject(SUBJECT).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString());
    }

    private static JWTClaimsSet.Builder remoteClaims() {
        return claims().issuer(remoteIss).subject("workload:remote-bot");
    }

    private static JWTClaimsSet.Builder svidClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().audience(AUD).subject(SVID).expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String signSvid(JWTClaimsSet claims) {
        try {
            return sign(new ECDSASigner(svidKey), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("svid-1").build(), claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(OctetKeyPair key, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            return sign(new Ed25519Signer(key), new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Response startTask(String workloadToken) {
        return vault.call("POST", "/v1/tasks", workloadToken, Map.of("objective", "hostile", "ttl", "5m"));
    }

    private static Response operator(String method, String path, Object body) {
        return vault.call(method, path, vault.adminToken(), body);
    }

    private static void assertRefused(Response response, int status, String reasonFragment) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).containsIgnoringCase(reasonFragment).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
