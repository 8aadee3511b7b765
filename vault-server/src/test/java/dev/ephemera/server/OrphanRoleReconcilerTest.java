package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.domain.backend.OrphanRoleReconciler;
import dev.ephemera.server.domain.core.VaultIdentity;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Roles of this vault that no live lease owns are found and dropped; nothing else is touched. */
class OrphanRoleReconcilerTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of("ephemera.reconcile.interval", "300ms"));

    @Test
    void rolesOfRevokedOrUnknownLeasesAreDroppedAndNothingElse() throws Exception {
        TestVault vault = env.vault();
        TestPostgres postgres = env.postgres();
        String vaultId = vault.server().bean(VaultIdentity.class).id();
        String task = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "reconcile", "ttl", "15m"))
                .expect(201).json().get("task_token").asText();
        String live = vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "readonly", "ttl", "10m"))
                .expect(201).json().get("credential").get("username").asText();
        var revoked = vault.call("POST", "/v1/leases", task, Map.of("backend", "pg", "role", "readonly", "ttl", "10m"))
                .expect(201).json();
        String revokedLease = revoked.get("lease_id").asText();
        vault.call("POST", "/v1/leases/" + revokedLease + "/revoke", task, null).expect(200);
        Eventually.within(Duration.ofSeconds(10), "lease revoked", () ->
                vault.call("GET", "/v1/leases/" + revokedLease, task, null).json().get("state").asText().equals("revoked"));

        // What a statement the database committed after its lease's revocation would leave behind.
        mark(postgres, "eph_readonly_late", "ephemera-lease " + vaultId + " " + revokedLease);
        mark(postgres, "eph_readonly_unknown", "ephemera-lease " + vaultId + " lease_neverissued");
        // Not this vault's: another vault's role, and a role nobody marked.
        mark(postgres, "eph_readonly_other", "ephemera-lease vault_someoneelse lease_x");
        postgres.execute("CREATE ROLE eph_readonly_unmarked LOGIN");

        Eventually.within(Duration.ofSeconds(20), "both orphans dropped by the scheduled pass", () ->
                !postgres.roleExists("eph_readonly_late") && !postgres.roleExists("eph_readonly_unknown"));

        var passes = vault.server().bean(OrphanRoleReconciler.class).reconcile();
        assertThat(passes).singleElement().satisfies(pass -> {
            assertThat(pass.backend()).isEqualTo("pg");
            assertThat(pass.examined()).isEqualTo(1); // the live lease's role: the only marked one left
            assertThat(pass.dropped()).isZero();
        });
        assertThat(postgres.roleExists(live)).as("the live lease's role").isTrue();
        assertThat(postgres.roleExists("eph_readonly_other")).isTrue();
        assertThat(postgres.roleExists("eph_readonly_unmarked")).isTrue();
        assertThat(vault.server().bean(PrometheusMeterRegistry.class).get("ephemera.reconcile.orphans.dropped")
                .tag("backend", "pg").counter().count()).isEqualTo(2);
        vault.call("POST", "/v1/tasks/self/end", task, null).expect(200);
    }

    private static void mark(TestPostgres postgres, String role, String comment) throws Exception {
        postgres.execute("CREATE ROLE " + role + " LOGIN");
        postgres.execute("COMMENT ON ROLE " + role + " IS '" + comment + "'");
    }
}
