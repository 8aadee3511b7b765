package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.client.ApprovalPendingException;
import dev.ephemera.client.Delegation;
import dev.ephemera.client.Ephemera;
import dev.ephemera.client.Lease;
import dev.ephemera.client.PermissionDeniedException;
import dev.ephemera.client.Sensitivity;
import dev.ephemera.client.Task;
import dev.ephemera.client.TaskSpec;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java client against the real server: stated intent, approvals waited for, delegation accepted. */
class ClientAgentFlowTest {
    private static final String HELPER_SUBJECT = "spiffe://test.local/agents/client-helper";
    private static final String APPROVAL_POLICY = """
            @id("all-but-lease") permit(principal, action, resource) unless { action == Ephemera::Action::"Lease" };
            @id("lease-with-approval") @approval("1") permit(principal, action == Ephemera::Action::"Lease", resource);
            """;

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;
    static String approver;

    @BeforeAll
    static void start() {
        vault.call("PUT", "/v1/agents/client-helper", vault.adminToken(), Map.of("owner", "gus@example.com", "purpose", "helps",
                "issuer", "test", "subject", HELPER_SUBJECT)).expect(200);
        vault.call("POST", "/v1/agents/client-helper/activate", vault.adminToken(), null).expect(200);
        approver = vault.server().bean(Tokens.class).issueAdmin("hana@example.com", "default");
    }

    @BeforeEach
    void allowAll() {
        vault.putPolicy(TestVault.ALLOW_ALL);
    }

    @Test
    void aTaskStatesItsIntentAndLeasesOnlyItsRoles() {
        try (Task task = vault.client().openTask(TaskSpec.of("reconcile").withTools("sql").withSensitivity(Sensitivity.CONFIDENTIAL)
                .withRoles("pg/readonly").withTtl(Duration.ofMinutes(10)))) {
            assertThat(task.lease("pg", "readonly", Duration.ofMinutes(1)).info().state().name()).isEqualTo("ACTIVE");
        }
        // The role exists, but this task declared another one: refused for the declaration, not for a missing role.
        try (Task narrow = vault.client().openTask(TaskSpec.of("reconcile").withRoles("pg/other"))) {
            assertThatThrownBy(() -> narrow.lease("pg", "readonly")).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("outside the roles");
        }
    }

    @Test
    void aLeaseHeldForApprovalIsWaitedForAndTakenOnceApproved() throws Exception {
        vault.putPolicy(APPROVAL_POLICY);
        try (Task task = vault.client().startTask("needs a human", Duration.ofMinutes(10))) {
            CompletableFuture<Lease> leasing = CompletableFuture.supplyAsync(() -> task.lease("pg", "readonly", Duration.ofMinutes(1)));
            String id = awaitPendingApproval(task.id());
            vault.call("POST", "/v1/approvals/" + id + "/approve", approver, Map.of("comment", "fine")).expect(200);
            assertThat(leasing.get(20, TimeUnit.SECONDS).id()).startsWith("lease_");
        }
    }

    @Test
    void aDeniedApprovalIsAPermissionDenial() throws Exception {
        vault.putPolicy(APPROVAL_POLICY);
        try (Task task = vault.client().startTask("needs a human", Duration.ofMinutes(10))) {
            CompletableFuture<Lease> leasing = CompletableFuture.supplyAsync(() -> task.lease("pg", "readonly"));
            String id = awaitPendingApproval(task.id());
            vault.call("POST", "/v1/approvals/" + id + "/deny", approver, Map.of("comment", "not today")).expect(200);
            assertThatThrownBy(() -> leasing.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("not today");
        }
    }

    @Test
    void anUndecidedApprovalEndsTheWaitWithItsId() {
        vault.putPolicy(APPROVAL_POLICY);
        Ephemera impatient = Ephemera.builder().address(vault.address()).workloadToken(vault::workloadToken)
                .approvalWait(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(6)).build();
        try (Task task = impatient.startTask("nobody answers", Duration.ofMinutes(10))) {
            assertThatThrownBy(() -> task.lease("pg", "readonly")).isInstanceOfSatisfying(ApprovalPendingException.class,
                    e -> assertThat(e.approvalId()).startsWith("apr_"));
        }
    }

    @Test
    void aSubAgentAcceptsADelegationUnderItsOwnIdentity() {
        try (Task parent = vault.client().openTask(TaskSpec.of("monthly report").withTools("sql", "charts"))) {
            Delegation offer = parent.delegate("client-helper", TaskSpec.of("draw charts").withTools("charts"));
            assertThat(offer.toString()).doesNotContain(offer.token());
            Ephemera helper = Ephemera.builder().address(vault.address())
                    .workloadToken(() -> vault.issuer().mint(HELPER_SUBJECT, Duration.ofMinutes(5))).build();
            try (Task sub = helper.acceptDelegation(offer.token())) {
                assertThat(sub.agentId()).isEqualTo("client-helper");
                sub.lease("pg", "readonly", Duration.ofMinutes(1));
            }
            assertThatThrownBy(() -> helper.acceptDelegation(offer.token())).isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("already accepted");
        }
    }

    private static String awaitPendingApproval(String taskId) throws Exception {
        return Eventually.found(Duration.ofSeconds(10), "no approval became pending", () -> {
            for (var approval : vault.call("GET", "/v1/approvals", vault.adminToken(), null).expect(200).json()) {
                if (approval.get("task_id").asText().equals(taskId)) {
                    return Optional.of(approval.get("approval_id").asText());
                }
            }
            return Optional.empty();
        });
    }
}
