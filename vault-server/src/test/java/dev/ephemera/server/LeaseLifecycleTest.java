package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.client.Lease;
import dev.ephemera.client.LeaseState;
import dev.ephemera.client.PostgresCredential;
import dev.ephemera.client.Task;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A task-scoped PostgreSQL lease end to end: the real server, the Java client, real PostgreSQL. */
class LeaseLifecycleTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @BeforeAll
    static void start() throws Exception {
        postgres.execute("""
                CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, total int NOT NULL);
                INSERT INTO orders VALUES (1, 10), (2, 20), (3, 30) ON CONFLICT DO NOTHING""");
    }

    @Test
    void leasedCredentialLogsInAndCanDoOnlyWhatTheRoleGrants() throws Exception {
        try (Task task = vault.client().startTask("total the orders", Duration.ofMinutes(5))) {
            PostgresCredential credential = task.lease("pg", "readonly", Duration.ofMinutes(1)).credential(PostgresCredential.class);

            try (Connection connection = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password());
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT sum(total) FROM orders")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(60);
                assertThatThrownBy(() -> statement.execute("INSERT INTO orders VALUES (4, 40)"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password() + "x"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void credentialStopsWorkingAtItsTtlAndTheRoleIsDropped() throws Exception {
        try (Task task = vault.client().startTask("short read", Duration.ofMinutes(5))) {
            Lease lease = task.lease("pg", "readonly", Duration.ofSeconds(2));
            PostgresCredential credential = lease.credential(PostgresCredential.class);
            assertThat(canLogIn(credential)).isTrue();

            Eventually.within(Duration.ofSeconds(10), "role dropped after its TTL", () -> !postgres.roleExists(credential.username()));
            assertThat(canLogIn(credential)).isFalse();
            assertThat(task.lookup(lease.id()).state()).isEqualTo(LeaseState.REVOKED);
        }
    }

    @Test
    void revokeDropsTheRoleAndEndsItsLiveSessionsAtOnce() throws Exception {
        try (Task task = vault.client().startTask("revoke early", Duration.ofMinutes(5))) {
            Lease lease = task.lease("pg", "readonly");
            PostgresCredential credential = lease.credential(PostgresCredential.class);
            try (Connection session = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password())) {
                assertThat(session.isValid(2)).isTrue();

                lease.revoke();

                assertThat(postgres.roleExists(credential.username())).isFalse();
                assertThat(session.isValid(2)).as("a session opened before revocation is terminated").isFalse();
            }
            assertThat(canLogIn(credential)).isFalse();
            assertThat(task.lookup(lease.id()).state()).isEqualTo(LeaseState.REVOKED);
        }
    }

    @Test
    void aStatementInFlightWhenTheLeaseIsRevokedIsGoneWithItAndCommitsNothing() throws Exception {
        postgres.execute("CREATE TABLE IF NOT EXISTS probe (n int)");
        vault.call("PUT", "/v1/backends/pg/roles/writer", vault.adminToken(), java.util.Map.of(
                "creation_statements", java.util.List.of(
                        "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}",
                        "GRANT INSERT ON probe TO {{name}}"),
                "default_ttl", "5m", "max_ttl", "1h")).expect(200);
        try (Task task = vault.client().startTask("write slowly", Duration.ofMinutes(5))) {
            Lease lease = task.lease("pg", "writer");
            PostgresCredential credential = lease.credential(PostgresCredential.class);
            Connection session = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password());
            int pid;
            try (ResultSet rows = session.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                pid = rows.getInt(1);
            }
            Thread writer = Thread.ofVirtual().start(() -> {
                try (Statement statement = session.createStatement()) {
                    statement.execute("INSERT INTO probe VALUES (1); SELECT pg_sleep(5)"); // one implicit transaction
                } catch (SQLException terminated) {
                    // expected: the revocation ends the session
                }
            });
            Eventually.within(Duration.ofSeconds(10), "the statement running", () -> postgres.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND state = 'active' AND query LIKE '%pg_sleep(5)%'") == 1);

            assertThat(lease.revoke().state()).isEqualTo(LeaseState.REVOKED);

            assertThat(postgres.count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid))
                    .as("the session is gone once the revocation is confirmed").isZero();
            assertThat(postgres.count("SELECT count(*) FROM probe")).as("nothing of it committed").isZero();
            writer.join(Duration.ofSeconds(10));
            session.close();
        }
    }

    @Test
    void endingTheTaskRevokesEveryLeaseItHolds() throws Exception {
        Task task = vault.client().startTask("two leases", Duration.ofMinutes(5));
        PostgresCredential first = task.lease("pg", "readonly").credential(PostgresCredential.class);
        PostgresCredential second = task.lease("pg", "readonly").credential(PostgresCredential.class);
        assertThat(canLogIn(first)).isTrue();
        assertThat(canLogIn(second)).isTrue();

        task.close();

        assertThat(postgres.roleExists(first.username())).isFalse();
        assertThat(postgres.roleExists(second.username())).isFalse();
        assertThat(canLogIn(first)).isFalse();
        assertThatThrownBy(() -> task.lease("pg", "readonly")).hasMessageContaining("ended");
    }

    @Test
    void renewalExtendsTheLeaseUpToTheRoleCap() throws Exception {
        try (Task task = vault.client().startTask("renew", Duration.ofMinutes(5))) {
            Lease lease = task.lease("pg", "readonly", Duration.ofSeconds(3));
            var before = lease.expiresAt();
            var renewed = lease.renew(Duration.ofMinutes(2));
            assertThat(renewed.expiresAt()).isAfter(before.plusSeconds(60));
            // A lease taken after it for its first TTL expires later than it would have: once that one is gone, its first TTL has passed.
            String marker = task.lease("pg", "readonly", Duration.ofSeconds(3)).credential(PostgresCredential.class).username();
            Eventually.within(Duration.ofSeconds(30), "a later lease with the same TTL expired", () -> !postgres.roleExists(marker));
            assertThat(canLogIn(lease.credential(PostgresCredential.class))).as("renewed lease outlives its first TTL").isTrue();
        }
    }

    static boolean canLogIn(PostgresCredential credential) {
        try (Connection ignored = DriverManager.getConnection(credential.jdbcUrl(), credential.username(), credential.password())) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Test
    void adminsReadTheLeaseMetricsInPrometheusFormat() throws Exception {
        try (Task task = vault.client().startTask("be counted", Duration.ofMinutes(5))) {
            task.lease("pg", "readonly", Duration.ofMinutes(1));
            TestVault.Response scrape = vault.call("GET", "/v1/sys/metrics", vault.adminToken(), null).expect(200);
            assertThat(scrape.body())
                    .contains("ephemera_leases_granted_total")
                    .contains("ephemera_leases_pending")
                    .contains("ephemera_revocation_backlog")
                    .contains("ephemera_leases_irrevocable")
                    .contains("ephemera_revocation_lag_seconds_bucket");
            assertThat(vault.call("GET", "/v1/sys/metrics", null, null).status()).as("not public").isEqualTo(401);
        }
    }
}
