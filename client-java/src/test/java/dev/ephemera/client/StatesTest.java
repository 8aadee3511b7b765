package dev.ephemera.client;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class StatesTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "active, ACTIVE", "revoking, REVOKING", "revoked, REVOKED", "irrevocable, IRREVOCABLE",
            "ACTIVE, ACTIVE", "' revoked ', REVOKED",
            "quarantined, UNKNOWN", "'', UNKNOWN", "NULL, UNKNOWN"})
    void leaseStatesMapLeniently(String wire, LeaseState expected) {
        assertThat(LeaseState.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "active, ACTIVE", "ended, ENDED", "expired, EXPIRED", "Ended, ENDED",
            "suspended, UNKNOWN", "NULL, UNKNOWN"})
    void taskStatesMapLeniently(String wire, TaskState expected) {
        assertThat(TaskState.fromWire(wire)).isEqualTo(expected);
    }
}
