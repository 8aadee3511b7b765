package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.TestVault;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An LDAP service account escrowed and rotated through the real server, against a real (in-memory) directory. */
class LdapEscrowApiTest {
    private static final String ADMIN = "cn=vault-admin";
    private static final String ADMIN_PASSWORD = "admin-" + SecretGenerator.password(20);
    private static final String DN = "uid=svc-billing,dc=example,dc=org";

    @TempDir
    static Path dataDir;
    static InMemoryDirectoryServer ldap;
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
        vault = TestVault.start(dataDir);
    }

    @AfterAll
    static void stop() {
        vault.close();
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
        String token = vault.call("POST", "/v1/escrow/svc-billing/consumers", vault.adminToken(), Map.of("name", "mailer"))
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

    private static boolean binds(String password) {
        try (LDAPConnection connection = new LDAPConnection("127.0.0.1", ldap.getListenPort())) {
            connection.bind(DN, password);
            return true;
        } catch (LDAPException e) {
            return false;
        }
    }
}
