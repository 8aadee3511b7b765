package dev.ephemera.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static dev.ephemera.client.Fixtures.PASSWORD;
import static dev.ephemera.client.Fixtures.TASK_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class ResponsesTest {

    private static <W, R> R read(String body, Class<W> wire, java.util.function.Function<? super W, ? extends R> convert) {
        return Responses.read(200, body, wire, convert, "POST /v1/leases");
    }

    @Test
    void readsAStartedTaskAndItsToken() {
        Wire.TaskBody body = read(Fixtures.TASK_STARTED, Wire.TaskBody.class, b -> b);

        assertThat(body.toInfo()).isEqualTo(new TaskInfo("task_1", "demo-agent", "summarise Q3 orders", TaskState.ACTIVE,
                Instant.parse("2026-11-22T12:00:00Z"), Instant.parse("2026-11-22T12:15:00Z")));
        assertThat(body.token()).isEqualTo(TASK_TOKEN);
    }

    @Test
    void readsTaskSelfWithoutToken() {
        String self = """
                {"task_id":"task_1","agent_id":"demo-agent","objective":"o","state":"expired",
                 "issued_at":"2026-11-22T12:00:00Z","expires_at":"2026-11-22T12:15:00Z"}""";

        TaskInfo info = read(self, Wire.TaskBody.class, Wire.TaskBody::toInfo);

        assertThat(info.state()).isEqualTo(TaskState.EXPIRED);
    }

    @Test
    void readsAnIssuedLeaseWithItsPostgresCredential() {
        Lease lease = read(Fixtures.LEASE_ISSUED, Wire.LeaseBody.class,
                b -> new Lease(Fixtures.task(), b.toInfo(), b.toCredential()));

        assertThat(lease.info()).isEqualTo(Fixtures.leaseInfo());
        assertThat(lease.credential()).isEqualTo(new PostgresCredential("eph_readonly_1", PASSWORD,
                "jdbc:postgresql://127.0.0.1:5432/postgres"));
        assertThat(lease.credential(PostgresCredential.class).jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
    }

    @Test
    void readsLeaseInfoWithoutCredential() {
        LeaseInfo info = read(Fixtures.LEASE_INFO, Wire.LeaseBody.class, Wire.LeaseBody::toInfo);

        assertThat(info.state()).isEqualTo(LeaseState.REVOKING);
        assertThat(info.expiresAt()).isEqualTo(Instant.parse("2026-11-22T12:10:00Z"));
        assertThat(info.maxExpiresAt()).isEqualTo(Instant.parse("2026-11-22T12:15:00Z"));
    }

    @Test
    void readsTheEndOfATask() {
        int revoking = read("{\"task_id\":\"task_1\",\"state\":\"ended\",\"leases_revoking\":2}",
                Wire.EndTaskBody.class, Wire.EndTaskBody::revoking);

        assertThat(revoking).isEqualTo(2);
    }

    @Test
    void ignoresUnknownFields() {
        String newer = Fixtures.LEASE_INFO.replace("{\"lease_id\"",
                "{\"renewable\":true,\"policy\":{\"name\":\"p\",\"rules\":[1,2]},\"lease_id\"");

        LeaseInfo info = read(newer, Wire.LeaseBody.class, Wire.LeaseBody::toInfo);

        assertThat(info.id()).isEqualTo("lease_1");
    }

    @Test
    void unknownLeaseStateDoesNotBreakParsing() {
        LeaseInfo info = read(Fixtures.LEASE_INFO.replace("\"revoking\"", "\"quarantined\""),
                Wire.LeaseBody.class, Wire.LeaseBody::toInfo);

        assertThat(info.state()).isEqualTo(LeaseState.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22T12:10:00Z", "2026-11-22T12:10:00.000Z", "2026-11-22T13:10:00+01:00", " 2026-11-22T12:10:00Z "})
    void acceptsIsoTimestampVariants(String timestamp) {
        LeaseInfo info = read(Fixtures.LEASE_INFO.replace("\"2026-11-22T12:10:00Z\"", "\"" + timestamp + "\""),
                Wire.LeaseBody.class, Wire.LeaseBody::toInfo);

        assertThat(info.expiresAt()).isEqualTo(Instant.parse("2026-11-22T12:10:00Z"));
    }

    @Test
    void badTimestampIsAnInvalidResponseNamingTheField() {
        String body = Fixtures.LEASE_INFO.replace("\"2026-11-22T12:10:00Z\"", "\"next tuesday\"");

        assertThatThrownBy(() -> read(body, Wire.LeaseBody.class, Wire.LeaseBody::toInfo))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessage("Ephemera sent a malformed reply to POST /v1/leases (HTTP 200): field expires_at is not an ISO-8601 timestamp")
                .hasNoCause()
                .asInstanceOf(type(ServerUnavailableException.class))
                .satisfies(e -> {
                    assertThat(e.errorCode()).isEqualTo(ServerUnavailableException.INVALID_RESPONSE);
                    assertThat(e.status()).isEqualTo(200);
                });
    }

    @Test
    void missingRequiredFieldIsNamed() {
        String body = Fixtures.LEASE_INFO.replace("\"max_expires_at\"", "\"ignored\"");

        assertThatThrownBy(() -> read(body, Wire.LeaseBody.class, Wire.LeaseBody::toInfo))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessageEndingWith("missing field max_expires_at");
    }

    @Test
    void missingTaskTokenIsNamed() {
        String body = Fixtures.TASK_STARTED.replace("\"task_token\"", "\"other\"");

        assertThatThrownBy(() -> read(body, Wire.TaskBody.class, Wire.TaskBody::token))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessageEndingWith("missing field task_token");
    }

    @Test
    void taskTokenThatCannotGoInAHeaderIsRefusedWithoutQuotingIt() {
        String body = Fixtures.TASK_STARTED.replace(TASK_TOKEN, "abc\\ndef-" + TASK_TOKEN);

        assertThatThrownBy(() -> read(body, Wire.TaskBody.class, Wire.TaskBody::token))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessageEndingWith("field task_token is not a valid bearer token")
                .message().doesNotContain(TASK_TOKEN);
    }

    @Test
    void missingEndCountIsNamed() {
        assertThatThrownBy(() -> read("{\"task_id\":\"t\",\"state\":\"ended\"}", Wire.EndTaskBody.class, Wire.EndTaskBody::revoking))
                .hasMessageEndingWith("missing field leases_revoking");
    }

    @Test
    void issuedLeaseWithoutCredentialIsRefused() {
        assertThatThrownBy(() -> read(Fixtures.LEASE_INFO, Wire.LeaseBody.class, Wire.LeaseBody::toCredential))
                .isInstanceOf(ServerUnavailableException.class)
                .hasMessageEndingWith("missing field credential");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "null", "<html>oops</html>", "{\"lease_id\":", "[]"})
    void unusableBodiesAreInvalidResponses(String body) {
        assertThatThrownBy(() -> read(body, Wire.LeaseBody.class, Wire.LeaseBody::toInfo))
                .isInstanceOf(ServerUnavailableException.class)
                .hasNoCause()
                .hasMessageStartingWith("Ephemera sent a malformed reply to POST /v1/leases (HTTP 200): ");
    }

    @Test
    void typeMismatchNeverQuotesTheBody() {
        // A number where the API promises an object: Jackson's own message would quote the value.
        String body = Fixtures.LEASE_ISSUED.replace("\"max_expires_at\":\"2026-11-22T12:15:00Z\"",
                "\"max_expires_at\":{\"oops\":\"" + PASSWORD + "\"}");

        assertThatThrownBy(() -> read(body, Wire.LeaseBody.class, Wire.LeaseBody::toInfo))
                .isInstanceOf(ServerUnavailableException.class)
                .hasNoCause()
                .hasMessageEndingWith("not the expected JSON")
                .message().doesNotContain(PASSWORD);
    }
}
