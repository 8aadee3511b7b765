package dev.ephemera.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ephemera.lease.BulkRevocation;
import dev.ephemera.lease.Lease;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.backend.BackendConfig;
import dev.ephemera.server.domain.backend.RoleConfig;
import dev.ephemera.server.domain.policy.DecisionRecord;
import dev.ephemera.server.domain.policy.PolicyVersion;
import dev.ephemera.server.domain.lease.TaskLeases;
import dev.ephemera.server.domain.task.Task;
import io.micronaut.http.HttpResponse;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the /v1 API (snake_case on the wire). */
public final class Dtos {
    private Dtos() {
    }

    @Serdeable
    public record StartTask(String objective, Object ttl, List<String> tools, String sensitivity, List<String> roles,
                            String manifestDigest, String delegationToken) {}

    @Serdeable
    public record DelegateTask(String agentId, String objective, Object ttl, List<String> tools, String sensitivity,
                               List<String> roles) {}

    @Serdeable
    public record DelegationOffered(String delegationId, String delegationToken, String agentId, Instant offerExpiresAt,
                                    Instant taskExpiresAt, List<String> actorChain) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskView(String taskId, String agentId, String objective, List<String> tools, String sensitivity,
                           List<String> roles, String parentTaskId, List<String> actorChain, String state, Instant issuedAt,
                           Instant expiresAt, Instant endedAt, String taskToken) {
        static TaskView of(Task task, Instant now, String token) {
            return new TaskView(task.id(), task.agentId(), task.objective(), task.tools(), task.sensitivity().label(),
                    task.roles(), task.parentTaskId(), task.actorChain(), task.stateAt(now).name().toLowerCase(),
                    task.issuedAt(), task.expiresAt(), task.endedAt(), token);
        }
    }

    @Serdeable
    public record TaskEnded(String taskId, String state, int leasesRevoking, int subTasksEnded) {}

    @Serdeable
    public record LeaseAsk(String backend, String role, Object ttl, String approvalId) {}

    @Serdeable
    public record Vote(String comment) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ApprovalView(String approvalId, String status, String taskId, String agentId, String backend, String role,
                               long ttlSeconds, int requiredApprovals, boolean excludesOwner, List<Approval.Vote> votes,
                               Instant createdAt, Instant expiresAt, String detail, String reason) {
        static ApprovalView of(Approval a, Instant now) {
            return new ApprovalView(a.id(), a.statusAt(now).name().toLowerCase(), a.taskId(), a.agentId(), a.backend(), a.role(),
                    a.ttlSeconds(), a.required(), a.excludesOwner(), a.votes(), a.createdAt(), a.expiresAt(), a.detail(), a.reason());
        }
    }

    @Serdeable
    public record Renewal(Object increment) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LeaseView(String leaseId, String backend, String role, String taskId, String agentId, String state,
                            Instant issuedAt, Instant expiresAt, Instant maxExpiresAt, Integer revocationAttempts,
                            String lastError, Map<String, String> credential) {
        static LeaseView of(Lease lease, Credential credential) {
            Map<String, String> fields = null;
            if (credential != null) {
                fields = new LinkedHashMap<>();
                fields.put("type", credential.type());
                fields.putAll(credential.fields());
            }
            return new LeaseView(lease.id(), lease.backend(), lease.role(), lease.taskId(), lease.agentId(),
                    lease.state().name().toLowerCase(), lease.issuedAt(), lease.expiresAt(), lease.maxExpiresAt(),
                    lease.revocationAttempts() == 0 ? null : lease.revocationAttempts(), lease.lastError(), fields);
        }
    }

    @Serdeable
    public record ForceRevocation(String reason) {}

    /** Which leases a bulk revocation takes: every given field must match; {@code all} takes the tenant's. */
    @Serdeable
    public record RevocationScope(String taskId, String agentId, String owner, String backend, String role, Boolean all) {}

    @Serdeable
    public record BulkView(String bulkId, String scope, Instant startedAt, int scanned, int matched, int revoked,
                           boolean scanDone, boolean done, String failure) {
        static BulkView of(BulkRevocation job) {
            return new BulkView(job.id(), job.description(), job.startedAt(), job.scanned(), job.matched(),
                    job.revoked(), job.scanDone(), job.done(), job.failure());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LeaseList(List<LeaseView> leases) {}

    @Serdeable
    public record BackendBody(String type, String connectionUrl, String username, String password, Boolean verify,
                              String passwordMode) {
        @Override
        public String toString() {
            return "BackendBody[type=" + type + ", connectionUrl=" + connectionUrl + ", username=" + username + "]";
        }
    }

    @Serdeable
    public record BackendView(String name, String type, String connectionUrl, String username, Instant updatedAt,
                              String passwordMode) {
        static BackendView of(BackendConfig c) {
            return new BackendView(c.name(), c.type(), c.connectionUrl(), c.username(), c.updatedAt(), c.passwordMode());
        }
    }

    @Serdeable
    public record RoleBody(List<String> creationStatements, List<String> renewStatements,
                           List<String> revocationStatements, Object defaultTtl, Object maxTtl) {}

    @Serdeable
    public record RoleView(String backend, String name, List<String> creationStatements, List<String> renewStatements,
                           List<String> revocationStatements, long defaultTtl, long maxTtl) {
        static RoleView of(RoleConfig r) {
            return new RoleView(r.backend(), r.name(), r.creationStatements(), r.renewStatements(),
                    r.revocationStatements(), r.defaultTtl().toSeconds(), r.maxTtl().toSeconds());
        }
    }

    @Serdeable
    public record IssuerAssignmentBody(String subjectPrefix) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record IssuerAssignmentView(String issuer, String subjectPrefix, String tenant, Instant assignedAt) {
        static IssuerAssignmentView of(dev.ephemera.server.domain.auth.IssuerTenants.Assignment a) {
            return new IssuerAssignmentView(a.issuer(), a.subjectPrefix(), a.tenant(), a.assignedAt());
        }
    }

    @Serdeable
    public record IssuerBody(String kind, String issuer, String audience, Object jwks, String jwksUri, List<String> algorithms,
                             String trustDomain, Boolean rejectReplay, String x509Bundle) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IssuerView(String name, String kind, String issuer, String audience, List<String> algorithms, int keys,
                             String jwksUri, String trustDomain, boolean rejectReplay) {}

    @Serdeable
    public record AgentBody(String owner, String purpose, String issuer, String subject, List<String> tools,
                            String manifestDigest, Instant expiresAt, Integer trustLevel) {}

    @Serdeable
    public record Reason(String reason) {}

    @Serdeable
    public record ManifestApproval(String digest) {}

    @Serdeable
    public record AgentStopped(AgentView agent, int tasksEnded, int leasesRevoking) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentView(String agentId, String owner, String purpose, String issuer, String subject, String status,
                            String statusReason, Instant registeredAt, Instant expiresAt, List<String> tools,
                            String manifestDigest, String pendingManifestDigest, int trustLevel) {
        static AgentView of(Agent a) {
            return new AgentView(a.id(), a.owner(), a.purpose(), a.issuer(), a.subject(), a.status().name().toLowerCase(),
                    a.statusReason(), a.registeredAt(), a.expiresAt(), a.tools(), a.manifestDigest(), a.pendingManifestDigest(),
                    a.trustLevel());
        }
    }

    @Serdeable
    public record Health(boolean initialized, boolean sealed, String version) {}

    @Serdeable
    public record PolicyUpload(String policies) {}

    @Serdeable
    public record PolicyRollback(Integer version) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicyView(int version, List<String> policyIds, String author, Instant createdAt, Integer rollbackOf,
                             String policies) {
        static PolicyView of(PolicyVersion version, boolean withText) {
            return new PolicyView(version.version(), version.policyIds(), version.author(), version.createdAt(),
                    version.rollbackOf(), withText ? version.text() : null);
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record DecisionList(String taskId, List<DecisionRecord> decisions) {}

    @Serdeable
    public record AdminTokenRequest(String name, String tenant, Boolean operator) {}

    @Serdeable
    public record AdminTokenIssued(String name, String tenant, boolean operator, String token) {}

    /** A granted lease is created (201); one held for approval is accepted (202) with the approval to wait on. */
    static HttpResponse<?> respond(TaskLeases.Outcome outcome) {
        return switch (outcome) {
            case TaskLeases.Outcome.Granted granted -> HttpResponse.created(LeaseView.of(granted.grant().lease(), granted.grant().credential()));
            case TaskLeases.Outcome.Held held -> HttpResponse.accepted().body(ApprovalView.of(held.approval(), held.at()));
        };
    }
}
