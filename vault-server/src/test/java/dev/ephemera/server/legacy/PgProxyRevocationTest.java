package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import dev.ephemera.server.support.Eventually;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ending a PostgreSQL proxy session from either side: a revoked lease ends its sessions up to their
 * upstream backends, and the upstream ending a session ends it for the client.
 */
class PgProxyRevocationTest extends PgProxyFixture {
    @Test
    void closingALeaseEndsItsSessionsAndLeavesOtherLeasesAlone() throws Exception {
        try (Connection a = connect(TOKEN_A, "require"); Connection b = connect(TOKEN_B, "require")) {
            assertThat(selectOne(a)).isEqualTo(1);
            assertThat(selectOne(b)).isEqualTo(1);

            assertThat(proxy.closeLease("lease-a")).isEqualTo(1);

            SQLException cut = catchSql(() -> selectOne(a));
            assertNoSecret(cut);
            assertThat(selectOne(b)).isEqualTo(1);
            Eventually.within(Duration.ofSeconds(5), "the revoked session is audited",
                    () -> audit.closed.stream().anyMatch(c -> c.lease().leaseId().equals("lease-a") && c.reason().equals("lease revoked")));
            assertThat(proxy.closeLease("lease-a")).isZero();
        }
    }

    @Test
    void closingALeaseEndsTheUpstreamBackendAndIsNotConfirmedWhileThatCannotBeChecked() throws Exception {
        try (Connection session = connect(TOKEN_ROTATED, "require"); Statement statement = session.createStatement()) {
            int backend;
            try (ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                backend = rows.getInt(1);
            }
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> catchSql(() -> statement.execute("SELECT pg_sleep(30)")));
            Eventually.within(Duration.ofSeconds(5), "the sleep runs upstream", () -> backendsRunning(backend, "SELECT pg_sleep(30)") == 1);
            // The account's password changed since the session logged in: the proxy cannot log in to check.
            postgres.execute("ALTER ROLE " + ROTATED_ROLE + " PASSWORD '" + ROTATED_AWAY + "'");
            try {
                assertThatThrownBy(() -> proxy.closeLease("lease-d")).isInstanceOf(RevocationIncompleteException.class)
                        .hasMessageContaining("not confirmed ended upstream")
                        .satisfies(PgProxyFixture::assertNoSecret);
                assertNoSecret(sleeping.get(10, TimeUnit.SECONDS));
            } finally {
                postgres.execute("ALTER ROLE " + ROTATED_ROLE + " PASSWORD '" + ESCROWED + "'");
            }

            assertThat(proxy.closeLease("lease-d")).as("the retry confirms; the session itself was cut the first time").isZero();
            assertThat(backendsRunning(backend, "")).as("the backend is gone once the retry returns").isZero();
        }
    }

    private static long backendsRunning(int pid, String queryPrefix) throws SQLException {
        try (Connection admin = postgres.admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
                     + " AND query LIKE '" + queryPrefix + "%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void aLeaseRevokedBetweenItsTokenCheckAndItsSessionsRegistrationOpensNoSession() {
        int before = upstream.accepted();

        SQLException refused = catchSql(() -> connect(TOKEN_RACED, "require"));

        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(upstream.accepted()).as("nothing reached the upstream").isEqualTo(before);
    }

    @Test
    void anUpstreamThatEndsTheSessionEndsItForTheClientToo() throws Exception {
        try (Connection connection = connect(TOKEN_B, "require")) {
            int backend;
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                backend = rows.getInt(1);
            }

            postgres.execute("SELECT pg_terminate_backend(" + backend + ")");

            assertNoSecret(catchSql(() -> selectOne(connection)));
            Eventually.within(Duration.ofSeconds(5), "the session is audited as closed by the upstream",
                    () -> audit.closed.stream().anyMatch(c -> c.lease().leaseId().equals("lease-b") && c.reason().equals("upstream closed")));
        }
    }

    @Test
    void aCancelRequestReachesTheUpstreamOfItsSession() throws Exception {
        try (Connection connection = connect(TOKEN_A, "require"); Statement statement = connection.createStatement()) {
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> catchSql(() -> statement.execute("SELECT pg_sleep(30)")));
            Eventually.within(Duration.ofSeconds(10), "the sleep runs upstream",
                    () -> postgres.count("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'") == 1);
            statement.cancel();

            assertThat(sleeping.get().getSQLState()).isEqualTo("57014");
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }
}
