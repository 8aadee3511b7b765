package dev.ephemera.server.domain.lease;

import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.backend.BackendCatalog;
import dev.ephemera.server.domain.backend.RoleConfig;
import dev.ephemera.server.domain.escrow.LibraryBackend;
import dev.ephemera.server.domain.escrow.LibraryCatalog;
import dev.ephemera.server.domain.escrow.LibraryConfig;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.Intent;
import dev.ephemera.server.domain.policy.PolicyAction;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.quota.RateLimits;
import dev.ephemera.server.domain.task.Task;
import dev.ephemera.server.domain.task.TaskService;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Renewing a lease the caller may see. A task renews only as its policy allows, each renewal
 * spending its rate and kept in the decision log; an admin renews within the lease's own bounds.
 */
@Singleton
public final class LeaseRenewals {
    private static final Duration FALLBACK_INCREMENT = Duration.ofHours(1);

    private final LeaseEngine engine;
    private final TaskService tasks;
    private final TaskLeases leases;
    private final BackendCatalog catalog;
    private final LibraryCatalog libraries;
    private final PolicyDecider policy;
    private final DecisionLog decisions;
    private final RateLimits rates;

    LeaseRenewals(LeaseEngine engine, TaskService tasks, TaskLeases leases, BackendCatalog catalog, LibraryCatalog libraries,
                  PolicyDecider policy, DecisionLog decisions, RateLimits rates) {
        this.engine = engine;
        this.tasks = tasks;
        this.leases = leases;
        this.catalog = catalog;
        this.libraries = libraries;
        this.policy = policy;
        this.decisions = decisions;
        this.rates = rates;
    }

    /**
     * Renews by {@code increment}, or by the role's (a check-out: the library's) default TTL when
     * null. {@code sourceAddress} is where a task's call came from, for its policy.
     */
    public Lease renew(Principal caller, Lease lease, Duration increment, String sourceAddress) {
        boolean checkOut = LibraryBackend.NAME.equals(lease.backend());
        Duration by = increment != null ? increment : checkOut
                ? libraries.find(lease.tenant(), lease.role()).map(LibraryConfig::defaultTtl).orElse(FALLBACK_INCREMENT)
                : catalog.role(lease.backend(), lease.role()).map(RoleConfig::defaultTtl).orElse(FALLBACK_INCREMENT);
        if (caller instanceof Principal.TaskHolder holder) {
            Task task = tasks.requireActive(holder.taskId());
            rates.acquire(new RateLimits.Scopes(task.tenant(), task.agentId(), task.id()));
            decisions.keep(permit(task, lease, checkOut, by, sourceAddress));
        }
        return engine.renew(lease.id(), by);
    }

    /** Keeping an account longer is asked of the policy that let the task check it out. */
    private Decision.Permit permit(Task task, Lease lease, boolean checkOut, Duration by, String sourceAddress) {
        Agent agent = leases.actingAgent(task);
        Intent intent = task.intent(by, sourceAddress);
        return checkOut
                ? policy.permitCheckOut(agent, lease.role(), libraries.find(lease.tenant(), lease.role())
                        .map(library -> library.accounts().size()).orElse(0), intent)
                : policy.permitRole(PolicyAction.RENEW, agent, lease.backend(), lease.role(), intent);
    }
}
