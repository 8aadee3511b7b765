package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.client.Lease;
import dev.ephemera.client.PostgresCredential;
import dev.ephemera.client.Task;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TcpProxy;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that is down when a lease must go: the vault retries until it is back, and never
 * reports the lease revoked while the role still exists. The outage is a cut TCP relay.
 */
class BackendOutageTest {
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    /** Its backend is PostgreSQL behind a proxy the tests cut, not backend {@code pg}. */
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestPostgres postgres;
    static TcpProxy proxy;
    static TestVault vault;

    @BeforeAll
    static void start() throws Exception {
        proxy = new TcpProxy(postgres.port());
        vault.configurePostgres("flaky", postgres.jdbcUrlThroughPort(proxy.port()), postgres.adminUser(), postgres.adminPassword());
    }

    @AfterEach
    void heal() {
        proxy.restore();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    @Test
    void explicitRevocationIsRetriedUntilTheBackendIsBack() throws Exception {
        Task task = vault.client().startTask("outage on revoke", Duration.ofMinutes(5));
        Lease lease = task.lease("flaky", "readonly", Duration.ofMinutes(2));
        String username = lease.credential(PostgresCredential.class).username();

        proxy.cut();
        lease.revoke();

        assertRetriedWhileDown(lease.id(), username, task);
    }

    @Test
    void expiryDuringAnOutageIsRetriedUntilTheBackendIsBack() throws Exception {
        Task task = vault.client().startTask("outage at expiry", Duration.ofMinutes(5));
        Lease lease = task.lease("flaky", "readonly", Duration.ofSeconds(1));
        String username = lease.credential(PostgresCredential.class).username();

        proxy.cut();

        assertRetriedWhileDown(lease.id(), username, task);
    }

    @Test
    void aBackendThatStaysDownMakesTheLeaseIrrevocableUntilAnAdminForcesIt(@TempDir Path otherDir) throws Exception {
        try (TestVault strict = TestVault.start(otherDir, Map.of(
                "ephemera.revocation.max-attempts", 2, "ephemera.revocation.irrevocable-retry", "1s"))) {
            strict.configurePostgres("flaky", postgres.jdbcUrlThroughPort(proxy.port()), postgres.adminUser(), postgres.adminPassword());
            Task task = strict.client().startTask("outage that does not end", Duration.ofMinutes(5));
            Lease lease = task.lease("flaky", "readonly", Duration.ofMinutes(2));
            proxy.cut();
            lease.revoke();

            Eventually.within(Duration.ofSeconds(15), "irrevocable after two attempts", () -> strict.call("GET",
                    "/v1/leases/" + lease.id(), strict.adminToken(), null).expect(200).json().path("state").asText()
                    .equals("irrevocable"));
            JsonNode listed = strict.call("GET", "/v1/leases?state=irrevocable", strict.adminToken(), null).expect(200).json();
            assertThat(listed.path("leases")).hasSize(1);
            assertThat(listed.path("leases").get(0).path("lease_id").asText()).isEqualTo(lease.id());
            assertThat(listed.path("leases").get(0).path("last_error").asText()).contains("flaky");

            assertThat(strict.call("POST", "/v1/leases/" + lease.id() + "/force-revoke", strict.adminToken(),
                    Map.of("reason", " ")).status()).as("a reason is required").isEqualTo(400);
            JsonNode forced = strict.call("POST", "/v1/leases/" + lease.id() + "/force-revoke", strict.adminToken(),
                    Map.of("reason", "role dropped by hand")).expect(200).json();
            assertThat(forced.path("state").asText()).isEqualTo("revoked");
            assertThat(forced.path("last_error").asText()).contains("force-revoked by").endsWith("role dropped by hand");
            assertThat(strict.call("GET", "/v1/leases?state=irrevocable", strict.adminToken(), null).expect(200)
                    .json().path("leases")).isEmpty();
            assertThat(strict.call("GET", "/v1/leases?state=bogus", strict.adminToken(), null).status()).isEqualTo(400);
        }
    }

    private void assertRetriedWhileDown(String leaseId, String username, Task task) throws Exception {
        Eventually.within(Duration.ofSeconds(15), "several failed revocation attempts",
                () -> lookup(leaseId).path("revocation_attempts").asInt() >= 2);
        JsonNode whileDown = lookup(leaseId);
        assertThat(whileDown.path("state").asText()).isEqualTo("revoking");
        assertThat(whileDown.path("last_error").asText()).contains("flaky");
        assertThat(postgres.roleExists(username)).as("the role is still there while the backend is unreachable").isTrue();

        proxy.restore();

        Eventually.within(Duration.ofSeconds(10), "revoked once the backend is back",
                () -> lookup(leaseId).path("state").asText().equals("revoked"));
        assertThat(postgres.roleExists(username)).isFalse();
        task.close();
    }

    private JsonNode lookup(String leaseId) {
        return vault.call("GET", "/v1/leases/" + leaseId, vault.adminToken(), null).expect(200).json();
    }
}
