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

    record StartTaskRequest(String objective, Long ttl, java.util.List<String> tools, String sensitivity,
                            java.util.List<String> roles, String manifestDigest, String delegationToken) {
        StartTaskRequest(String objective, Long ttl) {
            this(objective, ttl, null, null, null, null, null);
        }

        static StartTaskRequest of(TaskSpec spec) {
            return new StartTaskRequest(spec.objective(), spec.ttl() == null ? null : spec.ttl().toSeconds(),
                    spec.tools().isEmpty() ? null : spec.tools(), spec.sensitivity() == null ? null : spec.sensitivity().wire(),
                    spec.roles().isEmpty() ? null : spec.roles(), spec.manifestDigest(), null);
        }

        static StartTaskRequest accepting(String delegationToken) {
            return new StartTaskRequest(null, null, null, null, null, null, delegationToken);
        }

        @Override
        public String toString() {
            return "StartTaskRequest[objective=" + objective + ", delegationToken=" + (delegationToken == null ? "none" : "***") + "]";
        }
    }

    record LeaseRequest(String backend, String role, Long ttl, String approvalId) {
        LeaseRequest(String backend, String role, Long ttl) {
            this(backend, role, ttl, null);
        }
    }

    /** Reply of {@code POST /v1/leases} with 202, and of {@code GET /v1/approvals/{id}}. */
    record ApprovalBody(String approvalId, String status, Integer requiredApprovals, java.util.List<VoteBody> votes) {
    }

    record VoteBody(String approver, boolean approve, String comment) {
    }

    record DelegateRequest(String agentId, String objective, Long ttl, java.util.List<String> tools, String sensitivity,
                           java.util.List<String> roles) {
        static DelegateRequest of(String agentId, TaskSpec spec) {
            return new DelegateRequest(agentId, spec.objective(), spec.ttl() == null ? null : spec.ttl().toSeconds(),
                    spec.tools().isEmpty() ? null : spec.tools(), spec.sensitivity() == null ? null : spec.sensitivity().wire(),
                    spec.roles().isEmpty() ? null : spec.roles());
        }
    }

    record DelegationBody(String delegationId, String delegationToken, String agentId, String offerExpiresAt,
                          String taskExpiresAt, java.util.List<String> actorChain) {
        Delegation toDelegation() {
            return new Delegation(required(delegationId, "delegation_id"), required(delegationToken, "delegation_token"),
                    required(agentId, "agent_id"), instant(offerExpiresAt, "offer_expires_at"),
                    instant(taskExpiresAt, "task_expires_at"), actorChain == null ? java.util.List.of() : actorChain);
        }

        @Override
        public String toString() {
            return "DelegationBody[delegationId=" + delegationId + ", agentId=" + agentId + "]";
        }
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

    /** Reply of {@code GET /v1/escrow/{id}/current}; the username is absent when the secret names no account. */
    record CurrentBody(String id, Integer version, String username, String value, String rotatedAt) {

        SecretVersion toVersion() {
            if (version == null || version < 1) {
                throw new MalformedResponse("missing field version");
            }
            if (value == null || value.isEmpty()) {
                throw new MalformedResponse("missing field value");
            }
            return new SecretVersion(required(id, "id"), version, username, value, instant(rotatedAt, "rotated_at"));
        }

        @Override
        public String toString() {
            return "CurrentBody[id=" + id + ", version=" + version + ", value=***]";
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
