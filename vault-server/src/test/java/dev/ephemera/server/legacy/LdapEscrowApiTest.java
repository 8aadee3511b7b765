package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.PasswordModifyExtendedOperationHandler;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An LDAP service account escrowed and rotated through the real server, against a real (in-memory) directory. */
class LdapEscrowApiTest {
    private static final String ADMIN = "cn=vault-admin";
    private static final String ADMIN_PASSWORD = "admin-" + SecretGenerator.password(20);
    private static final String DN = "uid=svc-billing,dc=example,dc=org";

    static InMemoryDirectoryServer ldap;
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestVault vault;

    @BeforeAll
    static void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        config.addAdditionalBindCredentials(ADMIN, ADMIN_PASSWORD);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", 0));
        config.setSchema(null);
        ldap = new InMemoryDirectoryServer(config);
        ldap.startListening();
        ldap.add("dn: dc=example,dc=org", "objectClass: top", "objectClass: domain", "dc: example");
    }

    @AfterAll
    static void stop() {
        ldap.shutDown(true);
    }

    @Test
    void anLdapAccountIsTakenOverAndRotatedSoTheOldPasswordNoLongerBinds() throws Exception {
        String initial = SecretGenerator.password(24);
        ldap.add("dn: " + DN, "objectClass: top", "objectClass: account", "uid: svc-billing", "userPassword: " + initial);
        String url = "ldap://127.0.0.1:" + ldap.getListenPort();
        vault.call("PUT", "/v1/backends/corp-ldap", vault.adminToken(), Map.of("type", "ldap", "connection_url", url,
                "username", ADMIN, "password", "wrong")).expect(400);
        vault.call("PUT", "/v1/backends/corp-ldap", vault.adminToken(), Map.of("type", "ldap", "connection_url", url,
                "username", ADMIN, "password", ADMIN_PASSWORD)).expect(200);
        vault.call("PUT", "/v1/backends/corp-ldap/roles/x", vault.adminToken(), Map.of("creation_statements",
                java.util.List.of("CREATE ROLE {{name}} PASSWORD {{password}}"))).expect(400);

        JsonNode created = vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "svc-billing", "backend", "corp-ldap",
                "account", DN, "value", initial)).expect(201).json();
        assertThat(created.get("version").asInt()).isEqualTo(2);
        assertThat(binds(initial)).isFalse();
        String token = vault.approved("POST", "/v1/escrow/svc-billing/consumers", Map.of("name", "mailer"))
                .expect(201).json().get("token").asText();
        JsonNode current = vault.call("GET", "/v1/escrow/svc-billing/current", token, null).expect(200).json();
        assertThat(current.get("username").asText()).isEqualTo(DN);
        String second = current.get("value").asText();
        assertThat(binds(second)).isTrue();

        vault.call("POST", "/v1/escrow/svc-billing/rotate", vault.adminToken(), null).expect(200);
        assertThat(binds(second)).isFalse();
        assertThat(binds(vault.call("GET", "/v1/escrow/svc-billing/current", token, null).expect(200).json().get("value").asText()))
                .isTrue();
    }

    @Test
    void aDirectoryWithoutPasswordModifyIsRotatedByReplacingUserPassword() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=legacy,dc=org");
        config.addAdditionalBindCredentials(ADMIN, ADMIN_PASSWORD);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", 0));
        config.setSchema(null);
        config.getExtendedOperationHandlers().removeIf(handler -> handler instanceof PasswordModifyExtendedOperationHandler);
        InMemoryDirectoryServer legacy = new InMemoryDirectoryServer(config);
        legacy.startListening();
        try {
            String dn = "uid=svc-ledger,dc=legacy,dc=org";
            String initial = SecretGenerator.password(24);
            legacy.add("dn: dc=legacy,dc=org", "objectClass: top", "objectClass: domain", "dc: legacy");
            legacy.add("dn: " + dn, "objectClass: top", "objectClass: account", "uid: svc-ledger", "userPassword: " + initial);
            String url = "ldap://127.0.0.1:" + legacy.getListenPort();
            Map<String, Object> backend = Map.of("type", "ldap", "connection_url", url, "username", ADMIN, "password", ADMIN_PASSWORD);
            String bogus = vault.call("PUT", "/v1/backends/legacy-ldap", vault.adminToken(), with(backend, "password_mode", "plaintext"))
                    .expect(400).body();
            assertThat(bogus).contains("password_mode must be");
            vault.call("PUT", "/v1/backends/legacy-pg", vault.adminToken(), Map.of("type", "postgresql",
                    "connection_url", "jdbc:postgresql://127.0.0.1:1/x", "username", "u", "password", "p", "verify", false,
                    "password_mode", "replace")).expect(400);

            // The default, password modify, is refused by this directory: the takeover fails, the secret
            // keeps the typed password (nothing lost) and says why.
            vault.call("PUT", "/v1/backends/legacy-ldap", vault.adminToken(), backend).expect(200);
            JsonNode stuck = vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "svc-ledger", "backend", "legacy-ldap",
                    "account", dn, "value", initial)).expect(201).json();
            assertThat(stuck.get("version").asInt()).isEqualTo(1);
            assertThat(stuck.get("last_error").asText()).contains("password modify").doesNotContain(initial);
            assertThat(bindsTo(legacy, dn, initial)).isTrue();

            JsonNode replacing = vault.call("PUT", "/v1/backends/legacy-ldap", vault.adminToken(), with(backend, "password_mode", "replace"))
                    .expect(200).json();
            assertThat(replacing.get("password_mode").asText()).isEqualTo("replace");
            vault.call("POST", "/v1/escrow/svc-ledger/rotate", vault.adminToken(), null).expect(200);
            assertThat(bindsTo(legacy, dn, initial)).as("the password a person typed is dead").isFalse();
            String token = vault.approved("POST", "/v1/escrow/svc-ledger/consumers", Map.of("name", "ledger"))
                    .expect(201).json().get("token").asText();
            String current = vault.call("GET", "/v1/escrow/svc-ledger/current", token, null).expect(200).json().get("value").asText();
            assertThat(bindsTo(legacy, dn, current)).isTrue();
        } finally {
            legacy.shutDown(true);
        }
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new java.util.HashMap<>(body);
        copy.put(key, value);
        return copy;
    }

    private static boolean bindsTo(InMemoryDirectoryServer server, String dn, String password) {
        try (LDAPConnection connection = new LDAPConnection("127.0.0.1", server.getListenPort())) {
            connection.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            return false;
        }
    }

    private static boolean binds(String password) {
        try (LDAPConnection connection = new LDAPConnection("127.0.0.1", ldap.getListenPort())) {
            connection.bind(DN, password);
            return true;
        } catch (LDAPException e) {
            return false;
        }
    }
}
