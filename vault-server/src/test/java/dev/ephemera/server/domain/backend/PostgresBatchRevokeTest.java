package dev.ephemera.server.domain.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.lease.backend.RevokeTarget;
import dev.ephemera.server.domain.backend.BackendConfig;
import dev.ephemera.server.domain.backend.RoleConfig;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many roles dropped in one transaction, and one bad role isolated, against a real PostgreSQL. */
class PostgresBatchRevokeTest {
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;
    static PostgresBackend backend;

    static final RoleConfig READER = role("reader", List.of());
    /** Its revocation fails: the transaction with it rolls back and everyone is retried alone. */
    static final RoleConfig BROKEN = role("broken", List.of("DROP ROLE {{name}}", "SELECT no_such_function()"));

    @BeforeAll
    static void start() {
        BackendConfig config = new BackendConfig("pg", PostgresBackend.TYPE, postgres.jdbcUrl(), postgres.adminUser(),
                postgres.adminPassword(), Instant.now(), null);
        backend = new PostgresBackend(config, name -> switch (name) {
            case "reader" -> Optional.of(READER);
            case "broken" -> Optional.of(BROKEN);
            default -> Optional.empty();
        }, "vault_batchrevoketest");
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
    }

    @Test
    void dropsEveryRoleOfTheBatchAndSkipsThoseAlreadyGone() throws Exception {
        List<RevokeTarget> targets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            targets.add(issue("reader", "lease_r" + i));
        }
        targets.add(new RevokeTarget("lease_gone", "reader", Map.of("username", "eph_reader_never_created_0000000000")));

        Map<String, BackendException> failures = backend.revokeAll(targets);

        assertThat(failures).isEmpty();
        for (RevokeTarget target : targets) {
            assertThat(postgres.roleExists(target.handle().get("username"))).isFalse();
        }
    }

    @Test
    void aRoleThatCannotBeDroppedFailsAloneWithItsOwnError() throws Exception {
        RevokeTarget good1 = issue("reader", "lease_good1");
        RevokeTarget bad = issue("broken", "lease_bad");
        RevokeTarget good2 = issue("reader", "lease_good2");

        Map<String, BackendException> failures = backend.revokeAll(List.of(good1, bad, good2));

        assertThat(failures).containsOnlyKeys("lease_bad");
        assertThat(failures.get("lease_bad").getMessage()).contains("no_such_function");
        assertThat(postgres.roleExists(good1.handle().get("username"))).isFalse();
        assertThat(postgres.roleExists(good2.handle().get("username"))).isFalse();
    }

    private static RevokeTarget issue(String role, String leaseId) throws Exception {
        IssueRequest request = new IssueRequest("default", leaseId, "task_t", "agent", role, Instant.now().plus(Duration.ofMinutes(5)));
        Map<String, String> handle = backend.prepare(request);
        backend.issue(request, handle);
        assertThat(postgres.roleExists(handle.get("username"))).isTrue();
        return new RevokeTarget(leaseId, role, handle);
    }

    private static RoleConfig role(String name, List<String> revocation) {
        return new RoleConfig("pg", name, List.of("CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}"),
                List.of(), revocation, Duration.ofMinutes(5), Duration.ofHours(1));
    }
}
