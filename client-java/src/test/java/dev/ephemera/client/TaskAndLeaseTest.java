package dev.ephemera.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Everything here fails or answers before a request would be sent. */
class TaskAndLeaseTest {

    private final Task task = Fixtures.task();

    @Test
    void taskExposesWhatTheServerReturnedAtStart() {
        assertThat(task.id()).isEqualTo("task_1");
        assertThat(task.agentId()).isEqualTo("demo-agent");
        assertThat(task.objective()).isEqualTo("summarise Q3 orders");
        assertThat(task.issuedAt()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(task.expiresAt()).isEqualTo(Instant.parse("2026-11-22T12:15:00Z"));
    }

    @Test
    void leaseArgumentsAreValidated() {
        assertThatThrownBy(() -> task.lease(null, "readonly")).isInstanceOf(NullPointerException.class)
                .hasMessage("backend must not be null");
        assertThatThrownBy(() -> task.lease(" ", "readonly")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend must not be blank");
        assertThatThrownBy(() -> task.lease("demo", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("role must not be null");
        assertThatThrownBy(() -> task.lease("demo", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("role must not be blank");
        assertThatThrownBy(() -> task.lease("demo", "readonly", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("ttl must not be null");
        assertThatThrownBy(() -> task.lease("demo", "readonly", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be positive, got PT0S");
        assertThatThrownBy(() -> task.lease("demo", "readonly", Duration.ofMillis(250)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be a whole number of seconds (at least 1), got PT0.25S");
    }

    @Test
    void backendIsCheckedBeforeTtl() {
        assertThatThrownBy(() -> task.lease(null, "readonly", Duration.ZERO)).hasMessage("backend must not be null");
    }

    @Test
    void lookupNeedsALeaseId() {
        assertThatThrownBy(() -> task.lookup(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("leaseId must not be null");
        assertThatThrownBy(() -> task.lookup("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseId must not be blank");
        assertThatThrownBy(() -> task.lookup("..")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseId must not be a dot segment, got ..");
    }

    @Test
    void renewIncrementIsValidated() {
        Lease lease = Fixtures.lease();

        assertThatThrownBy(() -> lease.renew(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("increment must not be null");
        assertThatThrownBy(() -> lease.renew(Duration.ofSeconds(-300))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("increment must be positive, got PT-5M");
        assertThatThrownBy(() -> lease.renew(Duration.ofMillis(60_001))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("increment must be a whole number of seconds (at least 1), got PT1M0.001S");
    }

    @Test
    void leaseExposesItsInfoAndCredential() {
        Lease lease = Fixtures.lease();

        assertThat(lease.id()).isEqualTo("lease_1");
        assertThat(lease.backend()).isEqualTo("demo");
        assertThat(lease.role()).isEqualTo("readonly");
        assertThat(lease.taskId()).isEqualTo("task_1");
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(lease.issuedAt()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(lease.expiresAt()).isEqualTo(Instant.parse("2026-11-22T12:05:00Z"));
        assertThat(lease.maxExpiresAt()).isEqualTo(Instant.parse("2026-11-22T12:15:00Z"));
        assertThat(lease.credential(PostgresCredential.class).username()).isEqualTo("eph_readonly_1");
        assertThatThrownBy(() -> lease.credential(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("type must not be null");
    }

    @Test
    void valueRecordsRefuseNulls() {
        assertThatThrownBy(() -> new PostgresCredential("u", null, "jdbc:postgresql://db/x"))
                .isInstanceOf(NullPointerException.class).hasMessage("password must not be null");
        assertThatThrownBy(() -> new GenericCredential(null, java.util.Map.of()))
                .isInstanceOf(NullPointerException.class).hasMessage("type must not be null");
        assertThatThrownBy(() -> new LeaseInfo("l", "b", "r", "t", null, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH))
                .isInstanceOf(NullPointerException.class).hasMessage("state must not be null");
    }
}
