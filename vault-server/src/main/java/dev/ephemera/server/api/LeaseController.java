package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.lease.LeaseRenewals;
import dev.ephemera.server.domain.lease.TaskLeases;
import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.lease.LeaseState;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.policy.PolicyAction;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.backend.BackendCatalog;
import dev.ephemera.server.domain.backend.RoleConfig;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Leases drawn by a task, looked up, renewed and revoked by that task (or an admin). */
@Controller("/v1/leases")
@ExecuteOn(TaskExecutors.BLOCKING)
final class LeaseController {
    /** How long a revoke call waits for the backend before answering "revoking". */
    private static final long REVOKE_WAIT_SECONDS = 5;
    private static final java.util.regex.Pattern LEASE_ID = java.util.regex.Pattern.compile("lease_[0-9a-z]{1,40}");

    private final LeaseEngine engine;
    private final BackendCatalog catalog;
    private final PolicyDecider policy;
    private final TaskLeases leases;
    private final LeaseRenewals renewals;

    LeaseController(LeaseEngine engine, BackendCatalog catalog, PolicyDecider policy, TaskLeases leases, LeaseRenewals renewals) {
        this.engine = engine;
        this.catalog = catalog;
        this.policy = policy;
        this.leases = leases;
        this.renewals = renewals;
    }

    @CalledBy(CalledBy.Caller.TASK)
    @Post
    HttpResponse<?> lease(HttpRequest<?> request, @RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder,
                          @Body Dtos.LeaseAsk body) {
        return Dtos.respond(leases.take(holder.taskId(), task -> {
            String backend = Names.require("backend", body.backend());
            String roleName = Names.require("role", body.role());
            RoleConfig role = catalog.requireRole(backend, roleName);
            return new TaskLeases.Target<>(role, backend, roleName, "role", role.defaultTtl(), role.maxTtl());
        }, body.ttl(), Callers.sourceAddress(request), body.approvalId(),
                (agent, role, intent) -> policy.permitRole(PolicyAction.LEASE, agent, role.backend(), role.name(), intent)));
    }

    @CalledBy(CalledBy.Caller.ADMIN_OR_TASK)
    @Get("/{leaseId}")
    Dtos.LeaseView lookup(@RequestAttribute(Callers.PRINCIPAL) Principal caller, @PathVariable String leaseId) {
        return Dtos.LeaseView.of(visibleLease(caller, leaseId), null);
    }

    @CalledBy(CalledBy.Caller.ADMIN_OR_TASK)
    @Post("/{leaseId}/renew")
    Dtos.LeaseView renew(HttpRequest<?> request, @RequestAttribute(Callers.PRINCIPAL) Principal caller,
                         @PathVariable String leaseId, @Body Dtos.Renewal body) {
        Lease lease = visibleLease(caller, leaseId);
        Duration increment = Durations.parse("increment", body.increment());
        return Dtos.LeaseView.of(renewals.renew(caller, lease, increment, Callers.sourceAddress(request)), null);
    }

    @CalledBy(CalledBy.Caller.ADMIN_OR_TASK)
    @Post("/{leaseId}/revoke")
    Dtos.LeaseView revoke(@RequestAttribute(Callers.PRINCIPAL) Principal caller, @PathVariable String leaseId) {
        visibleLease(caller, leaseId);
        try {
            return Dtos.LeaseView.of(engine.revoke(leaseId).get(REVOKE_WAIT_SECONDS, TimeUnit.SECONDS), null);
        } catch (TimeoutException | ExecutionException e) {
            return Dtos.LeaseView.of(engine.find(leaseId).orElseThrow(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "unavailable", "interrupted");
        }
    }

    /** Admin: the tenant's live leases in one state, e.g. {@code ?state=irrevocable}. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("{?state}")
    Dtos.LeaseList list(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @Nullable String state) {
        LeaseState wanted = liveState(state);
        return new Dtos.LeaseList(engine.liveLeases(wanted).stream()
                .filter(lease -> admin.tenant().equals(lease.tenant()))
                .map(lease -> Dtos.LeaseView.of(lease, null))
                .toList());
    }

    /**
     * Admin: ends a revocation the backend keeps refusing, marking the lease revoked without its
     * confirmation. The reason is required and kept on the lease.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{leaseId}/force-revoke")
    Dtos.LeaseView forceRevoke(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                               @PathVariable String leaseId, @Body Dtos.ForceRevocation body) {
        visibleLease(admin, leaseId);
        String reason = body.reason() == null ? "" : body.reason().strip();
        if (reason.isEmpty() || reason.length() > 500) {
            throw DomainException.invalid("reason is required (1 to 500 characters): say why the credential is known to be gone or accepted");
        }
        return Dtos.LeaseView.of(engine.forceRevoke(leaseId, admin.name(), reason), null);
    }

    private static LeaseState liveState(@Nullable String state) {
        String name = state == null ? "irrevocable" : state.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (name) {
            case "active" -> LeaseState.ACTIVE;
            case "revoking" -> LeaseState.REVOKING;
            case "irrevocable" -> LeaseState.IRREVOCABLE;
            default -> throw DomainException.invalid("state must be one of active, revoking, irrevocable");
        };
    }

    /** A task sees only its own leases, an admin those of its tenant; anything else does not exist. */
    private Lease visibleLease(Principal caller, String leaseId) {
        Lease lease = LEASE_ID.matcher(leaseId).matches() ? engine.find(leaseId).orElse(null) : null;
        boolean visible = lease != null && switch (caller) {
            case Principal.TaskHolder holder -> holder.taskId().equals(lease.taskId());
            case Principal.Admin admin -> admin.tenant().equals(lease.tenant());
            case Principal.Consumer consumer -> false;
        };
        if (!visible) {
            throw DomainException.notFound("no lease " + leaseId);
        }
        return lease;
    }
}
