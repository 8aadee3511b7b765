package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.TestVault.Response;
import dev.ephemera.server.support.VaultFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Uploading, validating, versioning and rolling back a tenant's Cedar policies over the admin API. */
class PolicyAdminTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestVault vault;

    @Test
    void aPolicyThatDoesNotMatchTheSchemaIsRefusedWithTheReasonAndNothingChanges() {
        int before = currentVersion();
        Response refused = upload("""
                @id("typo") permit(principal, action == Ephemera::Action::"Lease", resource) when { context.sensitivty == "public" };
                """).expect(400);
        assertThat(refused.json().get("message").asText()).contains("policy 'typo'").contains("sensitivty");
        assertThat(currentVersion()).isEqualTo(before);
    }

    @Test
    void textThatDoesNotParseIsRefused() {
        assertThat(upload("permit(principal, action, resource) when { ((( };").expect(400).json().get("message").asText())
                .startsWith("policy text does not parse");
    }

    @Test
    void unknownActionsAndEntityTypesAreRefused() {
        upload("permit(principal, action == Ephemera::Action::\"Delete\", resource);").expect(400);
        upload("permit(principal is Ephemera::Robot, action, resource);").expect(400);
    }

    @Test
    void duplicateOrMalformedIdsAreRefused() {
        assertThat(upload("@id(\"a\") permit(principal, action, resource);\n@id(\"a\") forbid(principal, action, resource);")
                .expect(400).json().get("message").asText()).contains("two policies have the @id 'a'");
        upload("@id(\"has space\") permit(principal, action, resource);").expect(400);
    }

    @Test
    void blankOversizedAndTemplatePoliciesAreRefused() {
        upload("  ").expect(400);
        vault.call("PUT", "/v1/policies", vault.adminToken(), Map.of()).expect(400);
        assertThat(upload("// " + "x".repeat(200_000)).expect(400).json().get("message").asText()).contains("longer than");
        upload("// " + "x".repeat(300_000)).expect(413); // beyond the server's request bound
        assertThat(upload("permit(principal == ?principal, action, resource);").expect(400).json().get("message").asText())
                .contains("templates are not supported");
    }

    @Test
    void versionsAreListedAndEachCanBeRead() {
        int first = upload("@id(\"v-one\") permit(principal, action, resource);").expect(200).json().get("version").asInt();
        upload(TestVault.ALLOW_ALL).expect(200);

        var versions = vault.call("GET", "/v1/policies/versions", vault.adminToken(), null).expect(200).json();
        assertThat(versions.size()).isGreaterThanOrEqualTo(2);
        assertThat(versions.get(0).has("policies")).as("the list leaves the texts out").isFalse();
        var one = vault.call("GET", "/v1/policies/versions/" + first, vault.adminToken(), null).expect(200).json();
        assertThat(one.get("policies").asText()).contains("v-one");
        assertThat(one.get("policy_ids").toString()).isEqualTo("[\"v-one\"]");
        assertThat(one.get("author").asText()).isEqualTo("test-admin");
        vault.call("GET", "/v1/policies/versions/999999", vault.adminToken(), null).expect(404);
        vault.call("GET", "/v1/policies/versions/abc", vault.adminToken(), null).expect(404);
    }

    @Test
    void rollbackNeedsAnExistingVersion() {
        vault.call("POST", "/v1/policies/rollback", vault.adminToken(), Map.of("version", 424242)).expect(404);
        vault.call("POST", "/v1/policies/rollback", vault.adminToken(), Map.of()).expect(400);
    }

    @Test
    void onlyAdminsSeeOrChangePolicies() {
        String task = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "peek"))
                .expect(201).json().get("task_token").asText();
        vault.call("GET", "/v1/policies", task, null).expect(403);
        vault.call("PUT", "/v1/policies", task, Map.of("policies", TestVault.ALLOW_ALL)).expect(403);
        vault.call("GET", "/v1/policies", null, null).expect(401);
        vault.call("GET", "/v1/policies/schema", vault.workloadToken(), null).expect(401);
    }

    @Test
    void theSchemaIsServedForPolicyAuthors() {
        Response schema = vault.call("GET", "/v1/policies/schema", vault.adminToken(), null).expect(200);
        assertThat(schema.body()).contains("namespace Ephemera").contains("action Lease");
    }

    private static Response upload(String policies) {
        return vault.call("PUT", "/v1/policies", vault.adminToken(), Map.of("policies", policies));
    }

    private static int currentVersion() {
        return vault.call("GET", "/v1/policies", vault.adminToken(), null).expect(200).json().get("version").asInt();
    }
}
