package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.escrow.Consumers;
import dev.ephemera.server.domain.escrow.DualAccounts;
import dev.ephemera.server.domain.escrow.EscrowService;
import dev.ephemera.server.domain.escrow.LibraryCatalog;
import dev.ephemera.server.domain.escrow.LibraryConfig;
import dev.ephemera.server.domain.escrow.RotationDrivers;
import dev.ephemera.server.domain.escrow.SecretWatch;
import dev.ephemera.server.domain.proxy.RouteCatalog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin: escrowed secrets — created, viewed (never with their value), rotated, planned, given to
 * consumers, and revealed only through break-glass. A secret rotated through a shared backend's
 * admin account is created by an operator: that account can change any role's password. A
 * blue/green pair of escrowed accounts is read, rotated, planned and consumed by its id like a
 * secret; its consumers read the active account.
 */
@Controller("/v1/escrow")
@ExecuteOn(TaskExecutors.BLOCKING)
final class EscrowController {
    private static final Logger audit = LoggerFactory.getLogger("ephemera.audit.escrow");

    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final EscrowService escrow;
    private final DualAccounts pairs;
    private final RouteCatalog routes;
    private final SecretWatch watch;
    private final LibraryCatalog libraries;
    private final Consumers consumers;
    private final BreakGlassDesk breakGlass;
    private final Callers callers;
    private final InstantSource clock;

    EscrowController(EscrowService escrow, DualAccounts pairs, RouteCatalog routes, SecretWatch watch, LibraryCatalog libraries,
                     Consumers consumers, BreakGlassDesk breakGlass, Callers callers, InstantSource clock) {
        this.escrow = escrow;
        this.pairs = pairs;
        this.routes = routes;
        this.watch = watch;
        this.libraries = libraries;
        this.consumers = consumers;
        this.breakGlass = breakGlass;
        this.callers = callers;
        this.clock = clock;
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post
    HttpResponse<EscrowDtos.SecretView> create(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                               @Body EscrowDtos.Create body) {
        String driver = body.backend() == null ? RotationDrivers.MANUAL : Names.require("backend", body.backend());
        Principal.Admin admin = RotationDrivers.MANUAL.equals(driver) ? callers.admin(authorization) : callers.operator(authorization);
        String id = Names.require("id", body.id());
        EscrowDtos.Rotation rotation = body.rotation();
        if (rotation != null) {
            rotation.plan(admin.tenant(), id); // a bad plan is refused before anything is stored
        }
        EscrowedSecret secret = escrow.create(admin.tenant(), id, driver, body.account(), body.value(),
                body.rotateNow() == null || body.rotateNow());
        if (rotation != null) {
            escrow.plan(admin.tenant(), id, rotation.plan(admin.tenant(), id));
        }
        audit.info("escrowed secret {} created by {} (tenant {}) on {}", id, admin.name(), admin.tenant(), driver);
        return HttpResponse.created(view(secret));
    }

    /** The tenant's escrowed secrets, then its blue/green pairs. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<Object> list(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        Principal.Admin admin = callers.admin(authorization);
        List<Object> views = new java.util.ArrayList<>(escrow.list(admin.tenant()).stream().map(this::view).toList());
        pairs.list(admin.tenant()).forEach(pair -> views.add(pairView(pair)));
        return views;
    }

    /** Pairs two escrowed accounts under a new id; blue is active first. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/pairs")
    HttpResponse<EscrowDtos.PairView> createPair(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                                 @Body EscrowDtos.PairAsk body) {
        Principal.Admin admin = callers.admin(authorization);
        String id = Names.require("id", body.id());
        for (String account : new String[] {Names.require("blue", body.blue()), Names.require("green", body.green())}) {
            libraries.libraryOf(admin.tenant(), account).ifPresent(library -> {
                throw DomainException.invalid("account " + account + " is in library " + library.name() + ", which rotates it");
            });
        }
        DualAccountRotation.Pair pair = escrow.pair(admin.tenant(), id, body.blue(), body.green());
        audit.info("dual-account pair {} of {} and {} created by {} (tenant {})", id, body.blue(), body.green(), admin.name(),
                admin.tenant());
        return HttpResponse.created(pairView(pair));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{id}")
    HttpResponse<?> read(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id) {
        return HttpResponse.ok(anyView(callers.admin(authorization), id));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/rotate")
    HttpResponse<?> rotate(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id) {
        Principal.Admin admin = callers.admin(authorization);
        String name = exists(admin, id);
        if (libraries.libraryOf(admin.tenant(), name).isPresent()) {
            throw DomainException.conflict(id + " is a library account: it rotates at every check-in");
        }
        audit.info("rotation of {} asked by {} (tenant {})", id, admin.name(), admin.tenant());
        Rotator.Outcome outcome = escrow.rotate(admin.tenant(), name);
        Optional<DualAccountRotation.Pair> pair = pairs.find(admin.tenant(), name);
        return HttpResponse.ok(switch (outcome) {
            case Rotator.Outcome.Rotated rotated when pair.isPresent() ->
                    new EscrowDtos.PairRotated(true, rotated.attempts(), rotated.secret().id(), pairView(pair.get()));
            case Rotator.Outcome.Rotated rotated -> new EscrowDtos.Rotated(true, rotated.attempts(), view(rotated.secret()));
            case Rotator.Outcome.Failed failed -> throw DomainException.backendUnavailable("rotation of " + id + " failed after "
                    + failed.attempts() + " attempts; version " + failed.secret().current().number() + " stays current: "
                    + failed.reason());
        });
    }

    /**
     * Forgets a secret nothing uses any more, with its consumers' grants; the account itself is left
     * as it is. A pair is dissolved the same way: its two accounts stay escrowed, each on its own.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}")
    HttpResponse<?> delete(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id) {
        Principal.Admin admin = callers.admin(authorization);
        String tenant = admin.tenant();
        String name = exists(admin, id);
        routes.list(tenant).stream().filter(route -> route.secretId().equals(name)).findFirst().ifPresent(route -> {
            throw DomainException.conflict("proxy route " + route.name() + " injects " + name + "; change the route first");
        });
        if (pairs.find(tenant, name).isPresent()) {
            consumers.of(tenant, name).forEach(grant -> consumers.revoke(tenant, name, grant.id()));
            escrow.dissolve(tenant, name);
            audit.warn("dual-account pair {} dissolved by {} (tenant {})", name, admin.name(), tenant);
            return HttpResponse.noContent();
        }
        EscrowedSecret secret = secret(admin, name);
        libraries.libraryOf(tenant, id).ifPresent(library -> {
            throw DomainException.conflict(id + " is an account of library " + library.name() + "; remove it there first");
        });
        pairs.pairOf(tenant, id).ifPresent(pair -> {
            throw DomainException.conflict(id + " is in pair " + pair.id() + "; the pair uses it");
        });
        consumers.of(tenant, id).forEach(grant -> consumers.revoke(tenant, id, grant.id()));
        escrow.delete(tenant, secret.id());
        audit.warn("escrowed secret {} deleted by {} (tenant {}) at version {}", id, admin.name(), tenant, secret.current().number());
        return HttpResponse.noContent();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{id}/value")
    EscrowDtos.SecretView setValue(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id,
                                   @Body EscrowDtos.Value body) {
        Principal.Admin admin = callers.admin(authorization);
        EscrowedSecret secret = escrow.setValue(admin.tenant(), secret(admin, id).id(), body.value());
        audit.info("value of manual secret {} set by {} (tenant {}): version {}", id, admin.name(), admin.tenant(),
                secret.current().number());
        return view(secret);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{id}/rotation")
    HttpResponse<?> plan(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id,
                         @Body EscrowDtos.Rotation body) {
        Principal.Admin admin = callers.admin(authorization);
        String name = exists(admin, id);
        if (libraries.libraryOf(admin.tenant(), name).isPresent()) {
            throw DomainException.conflict(id + " is a library account: it rotates at every check-in, never on a plan");
        }
        escrow.plan(admin.tenant(), name, body.plan(admin.tenant(), name));
        return HttpResponse.ok(anyView(admin, name));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}/rotation")
    HttpResponse<?> unplan(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id) {
        Principal.Admin admin = callers.admin(authorization);
        escrow.plan(admin.tenant(), exists(admin, id), null);
        return HttpResponse.ok(anyView(admin, id));
    }

    /**
     * Break-glass, like a reveal: a consumer's token reads the secret's value, so the grant is filed
     * (202) and two other admins approve it; the same admin then asks again naming the approval and
     * receives the application's token, once.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/consumers")
    HttpResponse<?> addConsumer(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id,
                                @Body EscrowDtos.ConsumerAsk body) {
        Principal.Admin admin = callers.admin(authorization);
        String secretId = exists(admin, id);
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
    List<EscrowDtos.ConsumerView> consumers(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                            @PathVariable String id) {
        Principal.Admin admin = callers.admin(authorization);
        return consumers.of(admin.tenant(), exists(admin, id)).stream().map(grant -> consumerView(grant, null)).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Delete("/{id}/consumers/{consumerId}")
    HttpResponse<?> removeConsumer(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id,
                                   @PathVariable String consumerId) {
        Principal.Admin admin = callers.admin(authorization);
        consumers.revoke(admin.tenant(), exists(admin, id), consumerId);
        audit.info("consumer {} of {} withdrawn by {} (tenant {})", consumerId, id, admin.name(), admin.tenant());
        return HttpResponse.noContent();
    }

    /**
     * Break-glass: the first call files a request two other admins must approve (202); the same
     * admin then calls again naming the approval and sees the value, once.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/{id}/reveal")
    HttpResponse<?> reveal(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String id,
                           @Body EscrowDtos.RevealAsk body) {
        Principal.Admin admin = callers.admin(authorization);
        EscrowedSecret secret = secret(admin, id);
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
    CompletableFuture<HttpResponse<?>> current(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                               @Header(HttpHeaders.IF_NONE_MATCH) @Nullable String ifNoneMatch,
                                               @PathVariable String id, @Nullable @QueryValue String wait) {
        Principal.Consumer consumer = callers.consumer(authorization);
        Consumers.Grant grant = consumers.find(consumer.tenant(), consumer.consumerId())
                .filter(g -> g.secretId().equals(id))
                .orElseThrow(() -> DomainException.notFound("no escrowed secret " + id));
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
        EscrowDtos.Current current = currentOf(grant.tenant(), grant.secretId());
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

    /** A secret's current version, or a pair's: its active account under the pair's own version. */
    private EscrowDtos.Current currentOf(String tenant, String id) {
        if (pairs.find(tenant, id).isPresent()) {
            DualAccountRotation.Current active = pairs.current(tenant, id);
            return new EscrowDtos.Current(id, active.version(), EscrowDtos.account(active.target()), active.password(),
                    active.since());
        }
        EscrowedSecret secret = escrow.require(tenant, id);
        return new EscrowDtos.Current(secret.id(), secret.current().number(), EscrowDtos.account(secret),
                secret.current().value(), secret.current().createdAt());
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

    /** An escrowed secret itself; a pair's id is refused naming its accounts (their values are theirs). */
    private EscrowedSecret secret(Principal.Admin admin, String id) {
        pairs.find(admin.tenant(), Names.require("id", id)).ifPresent(pair -> {
            throw DomainException.conflict(id + " is a blue/green pair of " + pair.blue() + " and " + pair.green() + " (active: "
                    + pair.active() + "); name one of its accounts");
        });
        return escrow.require(admin.tenant(), id);
    }

    /** The id of an escrowed secret or a pair, 404 when it is neither. */
    private String exists(Principal.Admin admin, String id) {
        Names.require("id", id);
        return pairs.find(admin.tenant(), id).isPresent() ? id : secret(admin, id).id();
    }

    private Object anyView(Principal.Admin admin, String id) {
        return pairs.find(admin.tenant(), Names.require("id", id)).<Object>map(this::pairView).orElseGet(() -> view(secret(admin, id)));
    }

    private EscrowDtos.PairView pairView(DualAccountRotation.Pair pair) {
        return EscrowDtos.PairView.of(pair, pairs.nextAllowed(pair), escrow.planOf(pair.tenant(), pair.id()).orElse(null),
                escrow.nextRotation(pair.tenant(), pair.id()).orElse(null));
    }

    private EscrowDtos.SecretView view(EscrowedSecret secret) {
        return EscrowDtos.SecretView.of(secret, escrow.planOf(secret.tenant(), secret.id()).orElse(null),
                escrow.nextRotation(secret.tenant(), secret.id()).orElse(null),
                libraries.libraryOf(secret.tenant(), secret.id()).map(LibraryConfig::name).orElse(null));
    }

    private static EscrowDtos.ConsumerView consumerView(Consumers.Grant grant, String token) {
        return new EscrowDtos.ConsumerView(grant.id(), grant.name(), grant.secretId(), grant.createdAt(), token);
    }
}
