package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.lease.TaskLeases;
import dev.ephemera.lease.LeaseException;
import dev.ephemera.legacy.checkout.AccountLibrary;
import dev.ephemera.server.domain.approval.Approvals;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.escrow.LibraryBackend;
import dev.ephemera.server.domain.escrow.LibraryCatalog;
import dev.ephemera.server.domain.escrow.LibraryConfig;
import dev.ephemera.server.domain.policy.PolicyDecider;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Libraries of service accounts. Admins configure them; a task checks an account out as a lease of
 * the built-in {@code library} backend, under the tenant's {@code CheckOut} policy. Check-in is the
 * lease's revocation — by the task, at task end or expiry, or by an admin (force check-in) — and
 * rotates the account's password before anyone else can have it.
 */
@Controller("/v1/libraries")
@ExecuteOn(TaskExecutors.BLOCKING)
final class LibraryController {
    private final LibraryCatalog catalog;
    private final AccountLibrary accounts;
    private final TaskLeases leases;
    private final PolicyDecider policy;
    private final BreakGlassDesk breakGlass;
    private final InstantSource clock;

    LibraryController(LibraryCatalog catalog, AccountLibrary accounts, TaskLeases leases, PolicyDecider policy,
                      BreakGlassDesk breakGlass, InstantSource clock) {
        this.breakGlass = breakGlass;
        this.catalog = catalog;
        this.accounts = accounts;
        this.leases = leases;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * 200 when stored. Check-out hands tasks the accounts' passwords, so a new library, or one more
     * account, is break-glass: filed (202) for two other admins to approve, then sent again naming the
     * approval. Removing accounts or changing TTLs takes effect at once.
     */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Put("/{name}")
    HttpResponse<?> configure(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String name,
                              @Body EscrowDtos.LibraryAsk body) {
        Duration defaultTtl = Durations.parse("default_ttl", body.defaultTtl());
        Duration maxTtl = Durations.parse("max_ttl", body.maxTtl());
        String detail = LibraryCatalog.detail(Names.require("library name", name), body.accounts() == null ? List.of() : body.accounts());
        return breakGlass.change(admin, Approvals.BreakGlass.LIBRARY, name, body.approvalId(), body.reason(), detail,
                approved -> catalog.configure(admin.tenant(), name, body.accounts(), defaultTtl, maxTtl, approved), this::view);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    List<EscrowDtos.LibraryView> list(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return catalog.list(admin.tenant()).stream().map(this::view).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/{name}")
    EscrowDtos.LibraryView read(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String name) {
        return view(library(admin.tenant(), name));
    }

    /** 201 with the account and its password as a lease; 202 when policy wants approval; 409 when none is free. */
    @CalledBy(CalledBy.Caller.TASK)
    @Post("/{name}/check-out")
    HttpResponse<?> checkOut(HttpRequest<?> request, @RequestAttribute(Callers.PRINCIPAL) Principal.TaskHolder holder,
                             @PathVariable String name, @Body EscrowDtos.CheckOutAsk body) {
        try {
            return Dtos.respond(leases.take(holder.taskId(), task -> {
                LibraryConfig library = library(task.tenant(), name);
                return new TaskLeases.Target<>(library, LibraryBackend.NAME, library.name(), "library", library.defaultTtl(),
                        library.maxTtl());
            }, body.ttl(), Callers.sourceAddress(request), body.approvalId(),
                    (agent, library, intent) -> policy.permitCheckOut(agent, library.name(), library.config().accounts().size(), intent)));
        } catch (LeaseException e) {
            if (e.getCause() instanceof LibraryBackend.NoneFree none) {
                return noneFree(none);
            }
            throw e;
        }
    }

    private HttpResponse<?> noneFree(LibraryBackend.NoneFree none) {
        Instant next = none.nextFree().orElse(null);
        String when = next == null ? "" : "; the first is due back at " + next;
        var response = HttpResponse.<ApiError>status(HttpStatus.CONFLICT).body(new ApiError("none_free", none.getMessage() + when));
        if (next != null) {
            long seconds = Math.max(1, Duration.between(clock.instant(), next).toSeconds());
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        return response;
    }

    private LibraryConfig library(String tenant, String name) {
        return catalog.find(tenant, Names.require("library", name))
                .orElseThrow(() -> DomainException.notFound("no library " + name));
    }

    private EscrowDtos.LibraryView view(LibraryConfig config) {
        List<EscrowDtos.Holder> held = config.accounts().stream()
                .flatMap(account -> accounts.holder(config.tenant(), account).stream())
                .map(EscrowDtos.Holder::of).toList();
        return EscrowDtos.LibraryView.of(config, held);
    }
}
