package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.client.Lease;
import dev.ephemera.client.PostgresCredential;
import dev.ephemera.client.Task;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leases outlive the process that granted them: a restarted vault revokes them on time. */
class RestartRecoveryTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @Test
    void pendingLeasesAreRevokedOnTimeAfterARestart() throws Exception {
        Task task = vault.client().startTask("survive a restart", Duration.ofMinutes(5));
        PostgresCredential credential = task.lease("pg", "readonly", Duration.ofSeconds(5)).credential(PostgresCredential.class);
        Instant expiry = Instant.now().plusSeconds(5);

        vault.restart();

        assertThat(Instant.now()).as("restart finished before the lease expired").isBefore(expiry);
        assertThat(postgres.roleExists(credential.username())).as("not revoked early").isTrue();
        Eventually.within(Duration.between(Instant.now(), expiry).plusSeconds(3), "revoked at its expiry after restart",
                () -> !postgres.roleExists(credential.username()));
        assertThat(Instant.now()).isAfterOrEqualTo(expiry.minusMillis(500));
    }

    @Test
    void leasesThatExpiredWhileTheVaultWasDownAreRevokedWithinSecondsOfStart() throws Exception {
        Task task = vault.client().startTask("expire while down", Duration.ofMinutes(5));
        Lease firstLease = task.lease("pg", "readonly", Duration.ofSeconds(1));
        Lease secondLease = task.lease("pg", "readonly", Duration.ofSeconds(1));
        PostgresCredential first = firstLease.credential(PostgresCredential.class);
        PostgresCredential second = secondLease.credential(PostgresCredential.class);

        vault.stop();
        Eventually.within(Duration.ofSeconds(10), "both leases past their expiry, the vault down",
                () -> Instant.now().isAfter(firstLease.expiresAt()) && Instant.now().isAfter(secondLease.expiresAt()));
        assertThat(postgres.roleExists(first.username())).as("nobody revoked it while the vault was down").isTrue();

        vault.restart();

        Duration took = Eventually.within(Duration.ofSeconds(5), "overdue leases revoked after start",
                () -> !postgres.roleExists(first.username()) && !postgres.roleExists(second.username()));
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }
}
