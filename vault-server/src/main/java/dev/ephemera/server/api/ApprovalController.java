package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Admins;
import dev.ephemera.server.domain.auth.Principal;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Requests held for human approval: the asking task (or an admin) reads one, waiting for its outcome
 * with {@code ?wait=30s}; the tenant's admins list the pending ones and approve or deny them.
 */
@Controller("/v1/approvals")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ApprovalController {
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final Approvals approvals;
    private final Callers callers;
    private final InstantSource clock;

    ApprovalController(Approvals approvals, Callers callers, InstantSource clock) {
        this.approvals = approvals;
        this.callers = callers;
        this.clock = clock;
    }

    @CalledBy(CalledBy.Caller.ADMIN_OR_TASK)
    @Get("/{approvalId}{?wait}")
    Dtos.ApprovalView read(@RequestAttribute(Callers.PRINCIPAL) Principal caller, @PathVariable String approvalId,
                           @Nullable @QueryValue String wait) throws InterruptedException {
        Approval approval = approvals.find(caller.tenant(), approvalId)
                .filter(a -> !(caller instanceof Principal.TaskHolder holder) || holder.taskId().equals(a.taskId()))
                .orElseThrow(() -> DomainException.notFound("no approval " + approvalId));
        Duration patience = wait == null ? Duration.ZERO : Durations.parse("wait", wait);
        if (patience != null && patience.compareTo(MAX_WAIT) > 0) {
            throw DomainException.invalid("wait is at most " + MAX_WAIT.toSeconds() + "s; ask again to keep waiting");
        }
        if (patience != null && !patience.isZero()) {
            approval = approvals.await(caller.tenant(), approval.id(), patience);
        }
        return Dtos.ApprovalView.of(approval, clock.instant());
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<Dtos.ApprovalView> pending(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return approvals.pending(admin.tenant()).stream().map(a -> Dtos.ApprovalView.of(a, clock.instant())).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{approvalId}/approve")
    Dtos.ApprovalView approve(@Header(HttpHeaders.AUTHORIZATION) String authorization, @PathVariable String approvalId,
                              @Nullable @Body Dtos.Vote body) {
        Admins.Admin admin = callers.approver(authorization);
        return Dtos.ApprovalView.of(approvals.vote(admin.tenant(), approvalId, admin, true,
                body == null ? null : body.comment()), clock.instant());
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{approvalId}/deny")
    Dtos.ApprovalView deny(@Header(HttpHeaders.AUTHORIZATION) String authorization, @PathVariable String approvalId,
                           @Body Dtos.Vote body) {
        Admins.Admin admin = callers.approver(authorization);
        return Dtos.ApprovalView.of(approvals.vote(admin.tenant(), approvalId, admin, false, body.comment()), clock.instant());
    }
}
