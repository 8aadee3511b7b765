package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input at the edges of what the API reads (issue 11, items 7 and 8): numbers past a long, fields
 * nobody declared, bodies of the wrong shape, tokens of the wrong kind. Every refusal is a 400-class
 * answer that names the field and the rule in the API's words, never a Java type, never the input.
 */
class InputEdgesTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestVault vault;
    static String taskToken;

    @BeforeAll
    static void start() {
        taskToken = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "edges")).expect(201)
                .json().path("task_token").asText();
    }

    @Test
    void aTtlPastTheRangeOfALongIsRefusedNotWrappedIntoAShortLease() {
        // 2^64 + 60: it once wrapped to a 60 s lease
        Response response = lease("{\"backend\":\"pg\",\"role\":\"readonly\",\"ttl\":18446744073709551676}");
        assertRefused(response, 400, "ttl is longer than ten years");
        assertRefused(lease("{\"backend\":\"pg\",\"role\":\"readonly\",\"ttl\":\"18446744073709551676\"}"), 400,
                "ttl is longer than ten years");
        assertRefused(lease("{\"backend\":\"pg\",\"role\":\"readonly\",\"ttl\":-18446744073709551676}"), 400, "ttl must be positive");
    }

    @Test
    void anUnknownFieldIsRefusedByName() {
        Response response = lease("{\"backend\":\"pg\",\"role\":\"readonly\",\"tll\":\"5m\"}");
        assertRefused(response, 400, "unknown field 'tll'");
        assertThat(message(response)).contains("ttl"); // the fields it does take
        assertRefused(vault.call("PUT", "/v1/agents/edge", vault.adminToken(),
                "{\"owner\":\"a@example.com\",\"purpose\":\"p\",\"issuer\":\"test\",\"subject\":\"s\",\"trust\":3}"), 400,
                "unknown field 'trust'");
        assertRefused(vault.call("POST", "/v1/tasks", vault.workloadToken(), "{\"objective\":\"o\",\"tttl\":\"5m\"}"), 400,
                "unknown field 'tttl'");
    }

    @Test
    void anUnknownFieldOfANestedObjectIsNamedWithItsPath() {
        Response response = vault.call("POST", "/v1/escrow", vault.adminToken(),
                "{\"id\":\"nested\",\"value\":\"v\",\"rotation\":{\"perod\":\"1d\"}}");
        assertRefused(response, 400, "unknown field 'rotation.perod'");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheFieldAndTheRuleWithoutJavaOrTheInput() {
        String secretish = "Not-A-Date-" + System.nanoTime();
        Response date = vault.call("PUT", "/v1/agents/edge", vault.adminToken(), Map.of("owner", "a@example.com",
                "purpose", "p", "issuer", "test", "subject", "s", "expires_at", secretish));
        assertRefused(date, 400, "expires_at must be a time such as 2030-01-01T00:00:00Z");
        assertThat(date.body()).doesNotContain(secretish);

        assertRefused(vault.call("PUT", "/v1/agents/edge", vault.adminToken(), "{\"owner\":\"a\",\"trust_level\":99999999999999}"),
                400, "trust_level must be a whole number");
        assertRefused(vault.call("PUT", "/v1/agents/edge", vault.adminToken(), "{\"owner\":\"a\",\"tools\":[{\"x\":1}]}"), 400,
                "tools[0] must be a string");
        assertRefused(lease("{\"backend\":[\"pg\",\"pg\"],\"role\":\"readonly\"}"), 400, "backend must be a string");
        assertRefused(lease("[1,2]"), 400, "the request body must be a JSON object");
        assertRefused(lease("{\"backend\":\"pg\""), 400, "the request body is not valid JSON (line 1, column ");
        assertRefused(lease(""), 400, "a JSON request body is required");
    }

    @Test
    void aMissingFieldIsSaidToBeRequired() {
        assertRefused(lease("{\"role\":\"readonly\"}"), 400, "backend is required");
        assertRefused(lease("{\"backend\":\"pg\"}"), 400, "role is required");
    }

    @Test
    void anUnknownBackendIsSaidNotToExist() {
        assertRefused(lease("{\"backend\":\"nope\",\"role\":\"reader\"}"), 404, "backend 'nope' does not exist");
        assertRefused(lease("{\"backend\":\"pg\",\"role\":\"reader\"}"), 404, "no role 'reader' on backend 'pg'");
    }

    @Test
    void aTokenOfTheWrongKindIsNamedWithTheKindExpected() {
        Response workloadForTask = vault.call("POST", "/v1/leases", vault.workloadToken(), Map.of("backend", "pg", "role", "readonly"));
        assertRefused(workloadForTask, 401, "this call needs a task token; a workload token (JWT) was given");
        assertThat(message(workloadForTask)).contains("POST /v1/tasks");
        // Said from the token's form alone: a forged JWT gets the same answer as a genuine one.
        assertThat(message(vault.call("POST", "/v1/leases", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", Map.of("backend", "pg"))))
                .isEqualTo(message(workloadForTask));
        assertRefused(vault.call("GET", "/v1/backends", vault.workloadToken(), null), 401,
                "this call needs an admin token; a workload token (JWT) was given");
        assertRefused(vault.call("POST", "/v1/tasks", taskToken, Map.of("objective", "o")), 401,
                "this call needs a workload token (a signed JWT); a task token was given");
        assertRefused(vault.call("GET", "/v1/backends", taskToken, null), 403, "this call needs an admin token; a task token was given");
        assertRefused(vault.call("POST", "/v1/leases", vault.adminToken(), Map.of("backend", "pg", "role", "readonly")), 403,
                "this call needs a task token; an admin token was given");
        assertRefused(vault.call("GET", "/v1/escrow/any/current", vault.workloadToken(), null), 401,
                "this call needs a consumer token; a workload token (JWT) was given");
        // A task token that does not exist is still only "invalid or expired": nothing about other tokens.
        assertRefused(vault.call("GET", "/v1/tasks/self", "eph_task_not-a-real-token", null), 401, "invalid or expired token");
    }

    @Test
    void noRefusalCarriesAJavaNameOrEchoesItsInput() {
        String marker = "Echo-Me-" + System.nanoTime();
        for (String body : List.of("{\"backend\":\"" + marker, "{\"backend\":\"pg\",\"role\":\"readonly\",\"nope\":\"" + marker + "\"}", "{\"backend\":{\"" + marker + "\":1}}",
                "{\"ttl\":\"" + marker + "\",\"backend\":\"pg\",\"role\":\"readonly\"}")) {
            Response response = lease(body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.body()).as(body).doesNotContain(marker).doesNotContainPattern(
                    "\\b(java|dev\\.ephemera|io\\.micronaut|com\\.fasterxml)\\.[a-z]").doesNotContain("Exception").doesNotContain("$");
        }
    }

    @Test
    void anIssuerRefusalDoesNotQuoteItsKeysOrAddresses() {
        String marker = "Echo-Me-" + System.nanoTime();
        Response badKeys = vault.call("PUT", "/v1/issuers/echo", vault.adminToken(), Map.of("issuer", "http://127.0.0.1:1/x",
                "audience", "a", "jwks", Map.of("keys", marker), "algorithms", List.of("EdDSA")));
        assertRefused(badKeys, 400, "jwks must be a JWK set");
        assertThat(badKeys.body()).doesNotContain(marker);
        Response badUri = vault.call("PUT", "/v1/issuers/echo", vault.adminToken(), Map.of("issuer", "http://127.0.0.1:1/x",
                "audience", "a", "jwks_uri", "ftp://" + marker + ".example/keys", "algorithms", List.of("EdDSA")));
        assertRefused(badUri, 400, "key sets are fetched over https");
        assertThat(badUri.body()).doesNotContain(marker);
    }

    private static Response lease(String body) {
        return vault.call("POST", "/v1/leases", taskToken, body);
    }

    private static String message(Response response) {
        return response.json().path("message").asText();
    }

    private static void assertRefused(Response response, int status, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(message(response)).as(response.body()).contains(message);
        assertThat(response.body()).doesNotContain("Exception").doesNotContainPattern("\\bclass [a-z]");
    }
}
