package dev.ephemera.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON shapes of the HTTP API. Timestamps are read as strings and parsed here because the
 * client does not depend on jackson-datatype-jsr310. Records that hold a secret override
 * {@code toString}.
 */
final class Wire {

    private Wire() {
    }

    record StartTaskRequest(String objective, Long ttl) {
    }

    record LeaseRequest(String backend, String role, Long ttl) {
    }

    record RenewRequest(long increment) {
    }

    /** Reply of {@code POST /v1/tasks} (with a token) and {@code GET /v1/tasks/self} (without). */
    record TaskBody(String taskId, String agentId, String objective, String state, String taskToken,
                    String issuedAt, String expiresAt) {

        TaskInfo toInfo() {
            return new TaskInfo(
                    required(taskId, "task_id"),
                    required(agentId, "agent_id"),
                    required(objective, "objective"),
                    TaskState.fromWire(required(state, "state")),
                    instant(issuedAt, "issued_at"),
                    instant(expiresAt, "expires_at"));
        }

        String token() {
            String token = required(taskToken, "task_token");
            if (!Args.isBearerToken(token)) {
                throw new MalformedResponse("field task_token is not a valid bearer token");
            }
            return token;
        }

        @Override
        public String toString() {
            return "TaskBody[taskId=" + taskId + ", state=" + state + ", taskToken=***]";
        }
    }

    /** Reply of {@code POST /v1/tasks/self/end}. */
    record EndTaskBody(String taskId, String state, Integer leasesRevoking) {

        int revoking() {
            if (leasesRevoking == null) {
                throw new MalformedResponse("missing field leases_revoking");
            }
            return leasesRevoking;
        }
    }

    /** Reply of every lease call; only {@code POST /v1/leases} carries a credential. */
    record LeaseBody(String leaseId, String backend, String role, String taskId, String state,
                     String issuedAt, String expiresAt, String maxExpiresAt, JsonNode credential) {

        LeaseInfo toInfo() {
            return new LeaseInfo(
                    required(leaseId, "lease_id"),
                    required(backend, "backend"),
                    required(role, "role"),
                    required(taskId, "task_id"),
                    LeaseState.fromWire(required(state, "state")),
                    instant(issuedAt, "issued_at"),
                    instant(expiresAt, "expires_at"),
                    instant(maxExpiresAt, "max_expires_at"));
        }

        Credential toCredential() {
            if (credential == null || credential.isNull()) {
                throw new MalformedResponse("missing field credential");
            }
            return Credentials.fromJson(credential);
        }

        @Override
        public String toString() {
            return "LeaseBody[leaseId=" + leaseId + ", state=" + state + ", credential=***]";
        }
    }

    static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new MalformedResponse("missing field " + field);
        }
        return value;
    }

    static Instant instant(String value, String field) {
        try {
            return Instant.parse(required(value, field).strip());
        } catch (DateTimeParseException e) {
            throw new MalformedResponse("field " + field + " is not an ISO-8601 timestamp");
        }
    }
}
