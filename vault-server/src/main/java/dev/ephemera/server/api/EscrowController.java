package dev.ephemera.server.api;

import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.escrow.Consumers;
import dev.ephemera.server.domain.escrow.EscrowEntries;
import dev.ephemera.server.domain.escrow.RotationDrivers;
import dev.ephemera.server.domain.escrow.RotationPlan;
import dev.ephemera.server.domain.escrow.SecretWatch;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin: escrowed secrets — created, viewed (never with their value), rotated, planned, given to
 * consumers, and revealed only through break-glass. A secret rotated through a shared backend's
 * admin account is created by an operator: that account can change any role's password. A
 * blue/green pair of escrowed accounts is read, rotated, planned and consumed by its id like a
 * secret; its consumers read the active account. What may be done to which entry is
 * {@link EscrowEntries}'s to decide.
 */
@Controller("/v1/escrow")
@ExecuteOn(TaskExecutors.BLOCKING)
final class EscrowController {
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.escrow");

    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final EscrowEntries entries;
    private final Consumers consumers;
    private final SecretWatch watch;
    private final BreakGlassDesk breakGlass;
    private final Callers callers;

    EscrowController(EscrowEntries entries, Consumers consumers, SecretWatch watch, BreakGlassDesk breakGlass, Callers callers) {
        this.entries = entries;
        this.consumers = consumers;
        this.watch = watch;
        this.breakGlass = breakGlass;
        this.callers = callers;
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post
    HttpResponse<EscrowDtos.SecretView> create(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin caller,
                                               @Body EscrowDtos.Create body) {
        String driver = body.backend() == null ? RotationDrivers.MANUAL : Names.require("backend", body.backend());
        // A secret rotated through a shared backend is an operator's to create.
        Principal.Admin admin = RotationDrivers.MANUAL.equals(driver) ? caller : callers.operator(caller);
        String id = Names.require("id", body.id());
        // A bad plan is refused before anything is stored.
        RotationPlan plan = body.rotation() == null ? null : body.rotation().plan(admin.tenant(), id);
        return HttpResponse.created(EscrowDtos.SecretView.of(entries.create(admin, id, driver, body.account(), body.value(),
                body.rotateNow() == null || body.rotateNow(), plan)));
    }

    /** The tenant's escrowed secrets, then its blue/green pairs. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<EscrowDtos.EntryView> list(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return entries.list(admin.tenant()).stream().map(EscrowDtos.EntryView::of).toList();
    }

    /** Pairs two escrowed accounts under a new id; blue is active first. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/pairs")
    HttpResponse<EscrowDtos.PairView> createPair(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                                 @Body EscrowDtos.PairAsk body) {
        return HttpResponse.created(EscrowDtos.PairView.of(entries.pair(admin, body.id(), body.blue(), body.green())));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{id}")
    EscrowDtos.EntryView read(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id) {
        return EscrowDtos.EntryView.of(entries.require(admin.tenant(), id));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/rotate")
    EscrowDtos.RotatedView rotate(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id) {
        return EscrowDtos.RotatedView.of(entries.rotate(admin, id));
    }

    /**
     * Forgets a secret nothing uses any more, with its consumers' grants; the account itself is left
     * as it is. A pair is dissolved the same way: its two accounts stay escrowed, each on its own.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}")
    HttpResponse<?> delete(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id) {
        entries.delete(admin, id);
        return HttpResponse.noContent();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{id}/value")
    EscrowDtos.SecretView setValue(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id,
                                   @Body EscrowDtos.Value body) {
        return EscrowDtos.SecretView.of(entries.setValue(admin, id, body.value()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{id}/rotation")
    EscrowDtos.EntryView plan(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id,
                              @Body EscrowDtos.Rotation body) {
        String tenant = admin.tenant();
        return EscrowDtos.EntryView.of(entries.plan(tenant, id, () -> body.plan(tenant, id)));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}/rotation")
    EscrowDtos.EntryView unplan(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id) {
        return EscrowDtos.EntryView.of(entries.unplan(admin.tenant(), id));
    }

    /**
     * Break-glass, like a reveal: a consumer's token reads the secret's value, so the grant is filed
     * (202) and two other admins approve it; the same admin then asks again naming the approval and
     * receives the application's token, once.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/consumers")
    HttpResponse<?> addConsumer(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id,
                                @Body EscrowDtos.ConsumerAsk body) {
        String secretId = entries.require(admin.tenant(), id).id();
        String name = Names.require("name", body.name());
        String detail = "consumer grant '" + name + "' reading " + secretId;
        if (body.approvalId() == null) {
            return breakGlass.file(admin, Approvals.BreakGlass.CONSUMER, secretId, detail, body.reason(), false);
        }
        Approval used = breakGlass.redeem(admin, Approvals.BreakGlass.CONSUMER, secretId, body.approvalId(), detail);
        Consumers.Issued issued = consumers.issue(admin.tenant(), secretId, name);
        audit.warn("consumer {} ({}) of {} granted to {} (tenant {}), approved by {} ({})", issued.grant().id(), name, secretId,
                admin.name(), admin.tenant(), BreakGlassDesk.approvers(used), used.id());
        return HttpResponse.created(consumerView(issued.grant(), issued.token()));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{id}/consumers")
    List<EscrowDtos.ConsumerView> consumers(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin,
                                            @PathVariable String id) {
        return entries.consumers(admin.tenant(), id).stream().map(grant -> consumerView(grant, null)).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}/consumers/{consumerId}")
    HttpResponse<?> removeConsumer(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id,
                                   @PathVariable String consumerId) {
        entries.withdrawConsumer(admin, id, consumerId);
        return HttpResponse.noContent();
    }

    /**
     * Break-glass: the first call files a request two other admins must approve (202); the same
     * admin then calls again naming the approval and sees the value, once.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/reveal")
    HttpResponse<?> reveal(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String id,
                           @Body EscrowDtos.RevealAsk body) {
        EscrowedSecret secret = entries.secret(admin.tenant(), id);
        String detail = "reveal of " + id;
        if (body.approvalId() == null) {
            return breakGlass.file(admin, Approvals.BreakGlass.REVEAL, id, detail, body.reason(), true);
        }
        Approval used = breakGlass.redeem(admin, Approvals.BreakGlass.REVEAL, id, body.approvalId(), detail);
        List<String> approvers = BreakGlassDesk.approvers(used);
        audit.warn("break-glass reveal of {} version {} to {} (tenant {}), approved by {} ({})", id, secret.current().number(),
                admin.name(), admin.tenant(), approvers, used.id());
        return HttpResponse.ok(new EscrowDtos.Revealed(id, secret.current().number(), EscrowDtos.account(secret),
                secret.current().value(), used.id(), approvers));
    }

    /**
     * A consumer reads the current version. With {@code If-None-Match} naming the version it holds
     * and {@code ?wait=}, the answer waits for the next version (304 if none came in time): legacy
     * applications pick up a rotation within moments without polling hard.
     */
    @CalledBy(CalledBy.Caller.CONSUMER)
    @Get("/{id}/current{?wait}")
    CompletableFuture<HttpResponse<?>> current(@RequestAttribute(Callers.PRINCIPAL) Principal.Consumer consumer,
                                               @Header(HttpHeaders.IF_NONE_MATCH) @Nullable String ifNoneMatch,
                                               @PathVariable String id, @Nullable @QueryValue String wait) {
        Consumers.Grant grant = entries.grantOf(consumer, id);
        Duration patience = wait == null ? Duration.ZERO : Durations.parse("wait", wait);
        if (patience.compareTo(MAX_WAIT) > 0) {
            throw DomainException.invalid("wait is at most " + MAX_WAIT.toSeconds() + "s; ask again to keep waiting");
        }
        return awaitChange(grant, ifNoneMatch, System.nanoTime() + patience.toNanos());
    }

    /** Answers once the version differs from the one the consumer holds, or at the deadline. */
    private CompletableFuture<HttpResponse<?>> awaitChange(Consumers.Grant grant, String ifNoneMatch, long deadline) {
        // Listen before reading, so a change between the two is not missed; a change that is not a
        // new version (a rotation recorded, not yet confirmed) only starts another wait.
        CompletableFuture<Void> change = watch.nextChange(grant.tenant(), grant.secretId());
        EscrowDtos.Current current = EscrowDtos.Current.of(entries.current(grant.tenant(), grant.secretId()));
        long left = deadline - System.nanoTime();
        if (!etag(current).equals(ifNoneMatch) || left <= 0) {
            return CompletableFuture.completedFuture(current(grant, current, ifNoneMatch));
        }
        return change.copy().completeOnTimeout(null, left, TimeUnit.NANOSECONDS)
                // A grant withdrawn during the wait (which wakes it) must not be answered the next version.
                .thenCompose(changed -> consumers.find(grant.tenant(), grant.id()).isPresent()
                        ? awaitChange(grant, ifNoneMatch, deadline)
                        : CompletableFuture.completedFuture(withdrawn(grant)))
                // A vault shutting down under a waiting consumer: it asks again, elsewhere or later.
                .exceptionally(failure -> HttpResponse.status(io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE)
                        .header(HttpHeaders.RETRY_AFTER, "1").body(new ApiError("unavailable", "the vault is stopping; ask again")));
    }

    private static HttpResponse<?> current(Consumers.Grant grant, EscrowDtos.Current current, String ifNoneMatch) {
        String etag = etag(current);
        if (etag.equals(ifNoneMatch)) {
            return HttpResponse.notModified().header(HttpHeaders.ETAG, etag);
        }
        audit.info("consumer {} ({}) read {} version {}", grant.id(), grant.name(), current.id(), current.version());
        return HttpResponse.ok(current).header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-store");
    }

    private static HttpResponse<?> withdrawn(Consumers.Grant grant) {
        audit.info("consumer {} ({}) of {} withdrawn while it waited", grant.id(), grant.name(), grant.secretId());
        return HttpResponse.status(io.micronaut.http.HttpStatus.UNAUTHORIZED)
                .body(new ApiError("unauthenticated", "the consumer grant was withdrawn"));
    }

    private static String etag(EscrowDtos.Current current) {
        return "\"v" + current.version() + "\"";
    }

    private static EscrowDtos.ConsumerView consumerView(Consumers.Grant grant, String token) {
        return new EscrowDtos.ConsumerView(grant.id(), grant.name(), grant.secretId(), grant.createdAt(), token);
    }
}
