package dev.ephemera.server.approval;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.api.ApiException;
import dev.ephemera.server.core.Documents;
import dev.ephemera.server.policy.Decision;
import dev.ephemera.server.task.Task;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Human-in-the-loop: requests that policy permits only with approval wait here. Approvers are
 * admins of the tenant, named; the agent cannot approve (it has no admin identity), its owner
 * cannot when the policy excludes owners, and nobody approves twice. One denial ends the request.
 * Agents wait with {@link #await}, which returns as soon as the request is decided.
 */
@Singleton
public final class Approvals {
    private static final Duration LIFETIME = Duration.ofHours(1);
    private static final int MAX_COMMENT = 500;

    private final Documents documents;
    private final InstantSource clock;

    Approvals(Documents documents, InstantSource clock) {
        this.documents = documents;
        this.clock = clock;
    }

    /** Holds a permitted lease request for approval; it expires with the task or after an hour. */
    public synchronized Approval request(Task task, String owner, String backend, String role, Duration ttl, Decision.Permit permit) {
        Instant now = clock.instant();
        Instant expires = now.plus(LIFETIME).isBefore(task.expiresAt()) ? now.plus(LIFETIME) : task.expiresAt();
        Approval approval = new Approval(SecretGenerator.identifier("apr_"), task.tenant(), task.id(), task.agentId(), owner,
                backend, role, ttl.toSeconds(), permit.approval().approvers(), permit.approval().excludesOwner(), permit.id(),
                Approval.Status.PENDING, List.of(), now, expires);
        save(approval);
        return approval;
    }

    /** What a break-glass reveal is filed under: not a lease, so no task and no TTL. */
    public static final String REVEAL = "reveal";

    /**
     * Break-glass: an admin asks to see an escrowed secret; two other admins must approve. The
     * requester stands where an agent would, so it cannot approve its own request.
     */
    public synchronized Approval requestReveal(String tenant, String requester, String secretId) {
        Instant now = clock.instant();
        Approval approval = new Approval(SecretGenerator.identifier("apr_"), tenant, null, requester, requester, REVEAL,
                secretId, 0, 2, true, null, Approval.Status.PENDING, List.of(), now, now.plus(LIFETIME));
        save(approval);
        return approval;
    }

    /** The requester uses its approved reveal, once. */
    public synchronized Approval redeemReveal(String tenant, String id, String requester, String secretId) {
        Approval approval = find(tenant, id)
                .filter(a -> REVEAL.equals(a.backend()) && a.role().equals(secretId) && a.agentId().equals(requester))
                .orElseThrow(() -> ApiException.notFound("no reveal approval " + id + " of " + secretId + " requested by " + requester));
        Approval.Status status = approval.statusAt(clock.instant());
        if (status != Approval.Status.APPROVED) {
            throw status == Approval.Status.USED ? ApiException.conflict("approval " + id + " was already used")
                    : ApiException.forbidden("approval " + id + " is " + status.name().toLowerCase(Locale.ROOT)
                    + (status == Approval.Status.PENDING ? ": it needs two approvers other than " + requester : ""));
        }
        Approval used = approval.with(Approval.Status.USED, approval.votes());
        save(used);
        return used;
    }

    public Optional<Approval> find(String tenant, String id) {
        if (id == null || !id.matches("apr_[0-9a-z]{1,40}")) {
            return Optional.empty();
        }
        return documents.get(Keys.of("approval", tenant, id), Approval.class);
    }

    public List<Approval> pending(String tenant) {
        Instant now = clock.instant();
        return documents.list(Keys.prefix("approval", tenant), Approval.class).stream()
                .filter(a -> a.statusAt(now) == Approval.Status.PENDING).toList();
    }

    /** An admin's vote. Refused for the agent's owner when the policy says so, and for a second vote by the same person. */
    public synchronized Approval vote(String tenant, String id, String approver, boolean approve, String comment) {
        Approval approval = find(tenant, id).orElseThrow(() -> ApiException.notFound("no approval " + id));
        Instant now = clock.instant();
        if (approval.statusAt(now) != Approval.Status.PENDING) {
            throw ApiException.conflict("approval " + id + " is " + approval.statusAt(now).name().toLowerCase(Locale.ROOT));
        }
        String who = approver.strip();
        if (who.equalsIgnoreCase(approval.agentId())) {
            throw ApiException.forbidden("an agent cannot approve its own request");
        }
        if (approval.excludesOwner() && who.equalsIgnoreCase(approval.owner())) {
            throw ApiException.forbidden("policy excludes the agent's owner from approving this request");
        }
        if (approval.votes().stream().anyMatch(v -> v.approver().equalsIgnoreCase(who))) {
            throw ApiException.conflict(who + " has already answered this request; it needs another person");
        }
        String text = comment == null ? "" : comment.strip();
        if (text.length() > MAX_COMMENT) {
            throw ApiException.invalid("comment is longer than " + MAX_COMMENT + " characters");
        }
        if (!approve && text.isEmpty()) {
            throw ApiException.invalid("a denial needs a reason");
        }
        List<Approval.Vote> votes = new ArrayList<>(approval.votes());
        votes.add(new Approval.Vote(who, approve, text, now));
        long yes = votes.stream().filter(Approval.Vote::approve).count();
        Approval.Status next = !approve ? Approval.Status.DENIED
                : yes >= approval.required() ? Approval.Status.APPROVED : Approval.Status.PENDING;
        Approval voted = approval.with(next, votes);
        save(voted);
        notifyAll();
        return voted;
    }

    /** Waits up to {@code wait} for the request to be decided; returns it as it then is. */
    public synchronized Approval await(String tenant, String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Approval approval = find(tenant, id).orElseThrow(() -> ApiException.notFound("no approval " + id));
        while (approval.statusAt(clock.instant()) == Approval.Status.PENDING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
            approval = find(tenant, id).orElseThrow();
        }
        return approval;
    }

    /**
     * The task uses its approval to take the lease it asked for: same task, same role, no longer TTL,
     * approved, not used before. Marked used before the lease is granted, so it serves once.
     */
    public synchronized Approval redeem(Task task, String id, String backend, String role, Duration ttl) {
        Approval approval = find(task.tenant(), id).filter(a -> task.id().equals(a.taskId()))
                .orElseThrow(() -> ApiException.notFound("no approval " + id + " for this task"));
        Approval.Status status = approval.statusAt(clock.instant());
        if (status != Approval.Status.APPROVED) {
            throw status == Approval.Status.USED ? ApiException.conflict("approval " + id + " was already used")
                    : ApiException.forbidden("approval " + id + " is " + status.name().toLowerCase(Locale.ROOT));
        }
        if (!approval.backend().equals(backend) || !approval.role().equals(role) || ttl.toSeconds() > approval.ttlSeconds()) {
            throw ApiException.forbidden("approval " + id + " was given for " + approval.backend() + "/" + approval.role()
                    + " for at most " + approval.ttlSeconds() + "s");
        }
        Approval used = approval.with(Approval.Status.USED, approval.votes());
        save(used);
        return used;
    }

    /** A redeemed approval whose lease could not be granted serves again. */
    public synchronized void release(Approval used) {
        save(used.with(Approval.Status.APPROVED, used.votes()));
    }

    private void save(Approval approval) {
        documents.put(Keys.of("approval", approval.tenant(), approval.id()), approval);
    }
}
