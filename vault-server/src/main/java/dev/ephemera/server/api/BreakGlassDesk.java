package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.approval.Guarded;
import dev.ephemera.server.domain.auth.Principal;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where admins' break-glass operations are filed and used: a reveal, a consumer grant, a proxy
 * route's delivery, a library's accounts. The first request files exactly what is asked (202); two
 * other admins approve it ({@link Approvals}); the requester asks again naming the approval, for the
 * same thing, and it takes effect once. Every step is audited.
 */
@Singleton
final class BreakGlassDesk {
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.escrow");
    private static final int MAX_REASON = 500;

    private final Approvals approvals;
    private final InstantSource clock;

    BreakGlassDesk(Approvals approvals, InstantSource clock) {
        this.approvals = approvals;
        this.clock = clock;
    }

    /** Files the operation: 202 with the approval, which names what is asked and why. */
    HttpResponse<?> file(Principal.Admin admin, Approvals.BreakGlass operation, String subject, String detail, String reason,
                         boolean reasonRequired) {
        String why = reason == null ? "" : reason.strip();
        if ((reasonRequired && why.isEmpty()) || why.length() > MAX_REASON) {
            throw DomainException.invalid("reason is " + (reasonRequired ? "required (1 to " + MAX_REASON + " characters)"
                    : "at most " + MAX_REASON + " characters") + ": approvers decide on it");
        }
        Approval held = approvals.requestBreakGlass(admin.tenant(), admin.name(), operation, subject, detail,
                why.isEmpty() ? null : why);
        audit.warn("break-glass {} requested by {} (tenant {}) as {}: {}", detail, admin.name(), admin.tenant(), held.id(),
                why.isEmpty() ? "(no reason given)" : why);
        return HttpResponse.accepted().body(Dtos.ApprovalView.of(held, clock.instant()));
    }

    /** The requester's approved operation, used once; 403/404/409 when it is not approved for exactly this. */
    Approval redeem(Principal.Admin admin, Approvals.BreakGlass operation, String subject, String approvalId, String detail) {
        return approvals.redeemBreakGlass(admin.tenant(), approvalId, admin.name(), operation, subject, detail);
    }

    /**
     * A configuration change guarded by break-glass: {@code store} stores it if it lets nothing more
     * reach the secret, or if given the approved detail; otherwise it is held and filed. An approval
     * redeemed for a change that is then refused serves again.
     */
    <T> HttpResponse<?> change(Principal.Admin admin, Approvals.BreakGlass operation, String subject, String approvalId,
                               String reason, String detail, Function<String, Guarded<T>> store, Function<T, ?> view) {
        Approval used = approvalId == null ? null : redeem(admin, operation, subject, approvalId, detail);
        Guarded<T> outcome;
        try {
            outcome = store.apply(used == null ? null : detail);
        } catch (RuntimeException refused) {
            if (used != null) {
                approvals.release(used);
            }
            throw refused;
        }
        return switch (outcome) {
            case Guarded.Stored<T> stored -> {
                if (used != null) {
                    audit.warn("break-glass {} done for {} (tenant {}), approved by {} ({})", detail, admin.name(), admin.tenant(),
                            approvers(used), used.id());
                }
                yield HttpResponse.ok(view.apply(stored.value()));
            }
            case Guarded.Held<T> held -> {
                if (used != null) {
                    approvals.release(used); // what was approved is not what is now asked
                }
                yield file(admin, operation, subject, held.detail(), reason, false);
            }
        };
    }

    static List<String> approvers(Approval used) {
        return used.votes().stream().filter(Approval.Vote::approve).map(Approval.Vote::approver).toList();
    }
}
