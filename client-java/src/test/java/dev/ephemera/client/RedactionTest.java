package dev.ephemera.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static dev.ephemera.client.Fixtures.PASSWORD;
import static dev.ephemera.client.Fixtures.TASK_TOKEN;
import static dev.ephemera.client.Fixtures.WORKLOAD_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** No secret may appear in any toString: these strings end up in logs and debuggers. */
class RedactionTest {

    @Test
    void postgresCredentialHidesThePassword() {
        var credential = new PostgresCredential("eph_ro_1", PASSWORD, "jdbc:postgresql://db:5432/orders");

        assertThat(credential.toString())
                .doesNotContain(PASSWORD)
                .isEqualTo("PostgresCredential[username=eph_ro_1, password=***, jdbcUrl=jdbc:postgresql://db:5432/orders]");
    }

    @Test
    void genericCredentialHidesEveryValue() {
        var credential = new GenericCredential("aws_sts", Map.of("access_key_id", "AKIA-VISIBLE?", "secret_access_key", PASSWORD));

        assertThat(credential.toString())
                .doesNotContain(PASSWORD)
                .doesNotContain("AKIA-VISIBLE?")
                .contains("type=aws_sts", "access_key_id=***", "secret_access_key=***");
    }

    @Test
    void taskHidesItsToken() {
        Task task = Fixtures.task();

        assertThat(task.toString())
                .doesNotContain(TASK_TOKEN)
                .isEqualTo("Task[id=task_1, agentId=demo-agent, expiresAt=2026-11-22T12:15:00Z]");
    }

    @Test
    void leaseShowsNoCredentialValue() {
        Lease lease = Fixtures.lease();

        assertThat(lease.toString())
                .doesNotContain(PASSWORD)
                .doesNotContain(TASK_TOKEN)
                .isEqualTo("Lease[id=lease_1, backend=demo, role=readonly, state=ACTIVE, "
                        + "expiresAt=2026-11-22T12:05:00Z, credential=postgresql]");
    }

    @Test
    void wireRecordsHideTokensAndCredentials() throws Exception {
        Wire.TaskBody task = Json.MAPPER.readValue(Fixtures.TASK_STARTED, Wire.TaskBody.class);
        Wire.LeaseBody lease = Json.MAPPER.readValue(Fixtures.LEASE_ISSUED, Wire.LeaseBody.class);

        assertThat(task.toString()).doesNotContain(TASK_TOKEN).contains("task_1");
        assertThat(lease.toString()).doesNotContain(PASSWORD).contains("lease_1");
    }

    @Test
    void clientDoesNotCallTheTokenSupplierForToString() {
        Ephemera ephemera = Ephemera.builder()
                .address(URI.create("http://127.0.0.1:8200"))
                .workloadToken(() -> { throw new AssertionError("token supplier called"); })
                .build();

        assertThat(ephemera.toString()).isEqualTo("Ephemera[address=http://127.0.0.1:8200/]");
    }

    @Test
    void invalidTokensAreRefusedWithoutEchoingThem() {
        String broken = "Bearer-ish\n" + WORKLOAD_TOKEN;
        Ephemera ephemera = Ephemera.builder()
                .address(URI.create("http://127.0.0.1:8200"))
                .workloadToken(() -> broken)
                .build();

        try {
            ephemera.workloadToken();
            throw new AssertionError("expected a refusal");
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).doesNotContain(WORKLOAD_TOKEN);
        }
        try {
            Fixtures.transport().request("GET", "v1/tasks/self", "tok\r\n" + TASK_TOKEN, null);
            throw new AssertionError("expected a refusal");
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).doesNotContain(TASK_TOKEN);
        }
    }

    @Test
    void addressWithUserInfoIsRefusedWithoutEchoingIt() {
        try {
            Ephemera.builder().address(URI.create("https://admin:" + PASSWORD + "@vault.internal:8200"));
            throw new AssertionError("expected a refusal");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain(PASSWORD);
        }
    }
}
