package dev.ephemera.server.domain.approval;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.Admins;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.task.Task;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Human-in-the-loop: requests that policy permits only with approval wait here, and so do admins'
 * break-glass operations on escrowed secrets. Approvers are registered admins of the tenant, each a
 * person with a unique name ({@link Admins}) who was an admin before the request was filed; the
 * requester cannot approve (an agent has no admin identity), the agent's owner cannot when the
 * policy excludes owners, and nobody approves twice. One denial ends the request.
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
                Approval.Status.PENDING, List.of(), now, expires, null, null);
        save(approval);
        return approval;
    }

    /**
     * Break-glass operations: each reaches an escrowed secret's value, so each waits for the same two
     * approvals. A reveal shows the value to its requester; a consumer grant gives an application a
     * token that reads it; a proxy route decides where the proxy sends it; a library's accounts are
     * checked out, with their passwords, by tasks.
     */
    public enum BreakGlass {
        REVEAL("reveal"), CONSUMER("consumer"), ROUTE("route"), LIBRARY("library");

        private final String kind;

        BreakGlass(String kind) {
            this.kind = kind;
        }

        public String kind() {
            return kind;
        }
    }

    /**
     * Files a break-glass operation on {@code subject} (a secret, or a route); two admins other than
     * the requester must approve it. The requester stands where an agent would, so it cannot approve
     * its own request. {@code detail} is exactly what is asked, what the approvers see and what the
     * requester must ask again to use the approval.
     */
    public synchronized Approval requestBreakGlass(String tenant, String requester, BreakGlass operation, String subject,
                                                   String detail, String reason) {
        Instant now = clock.instant();
        Approval approval = new Approval(SecretGenerator.identifier("apr_"), tenant, null, requester, requester, operation.kind(),
                subject, 0, 2, true, null, Approval.Status.PENDING, List.of(), now, now.plus(LIFETIME), detail, reason);
        save(approval);
        return approval;
    }

    /** The requester uses its approved operation, once, for exactly what was approved. */
    public synchronized Approval redeemBreakGlass(String tenant, String id, String requester, BreakGlass operation, String subject,
                                                  String detail) {
        Approval approval = find(tenant, id)
                .filter(a -> a.taskId() == null && operation.kind().equals(a.backend()) && a.role().equals(subject)
                        && a.agentId().equals(requester))
                .orElseThrow(() -> DomainException.notFound("no " + operation.kind() + " approval " + id + " of " + subject
                        + " requested by " + requester));
        if (!Objects.equals(approval.detail(), detail)) {
            throw DomainException.forbidden("approval " + id + " was given for " + approval.detail() + "; this asks for " + detail);
        }
        Approval.Status status = approval.statusAt(clock.instant());
        if (status != Approval.Status.APPROVED) {
            throw status == Approval.Status.USED ? DomainException.conflict("approval " + id + " was already used")
                    : DomainException.forbidden("approval " + id + " is " + status.name().toLowerCase(Locale.ROOT)
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

    /**
     * A registered admin's vote: one person, counted once. Refused for the requester, for the agent's
     * owner when the policy says so, for a second vote by the same person, and for an admin who was
     * not one yet when the request was filed (an operator cannot mint approvers for a request it sees).
     */
    public synchronized Approval vote(String tenant, String id, Admins.Admin approver, boolean approve, String comment) {
        Approval approval = find(tenant, id).orElseThrow(() -> DomainException.notFound("no approval " + id));
        Instant now = clock.instant();
        if (approval.statusAt(now) != Approval.Status.PENDING) {
            throw DomainException.conflict("approval " + id + " is " + approval.statusAt(now).name().toLowerCase(Locale.ROOT));
        }
        String who = approver.name().strip();
        if (!approver.tenant().equals(tenant)) {
            throw DomainException.notFound("no approval " + id);
        }
        if (who.equalsIgnoreCase(approval.agentId())) {
            throw DomainException.forbidden(approval.taskId() == null ? "the requester cannot approve its own request"
                    : "an agent cannot approve its own request");
        }
        if (approver.registeredAt().isAfter(approval.createdAt())) {
            throw DomainException.forbidden(who + " became an admin after this request was filed; approvers are admins from before it");
        }
        if (approval.excludesOwner() && who.equalsIgnoreCase(approval.owner())) {
            throw DomainException.forbidden("policy excludes the agent's owner from approving this request");
        }
        if (approval.votes().stream().anyMatch(v -> v.approver().equalsIgnoreCase(who))) {
            throw DomainException.conflict(who + " has already answered this request; it needs another person");
        }
        String text = comment == null ? "" : comment.strip();
        if (text.length() > MAX_COMMENT) {
            throw DomainException.invalid("comment is longer than " + MAX_COMMENT + " characters");
        }
        if (!approve && text.isEmpty()) {
            throw DomainException.invalid("a denial needs a reason");
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
        Approval approval = find(tenant, id).orElseThrow(() -> DomainException.notFound("no approval " + id));
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
                .orElseThrow(() -> DomainException.notFound("no approval " + id + " for this task"));
        Approval.Status status = approval.statusAt(clock.instant());
        if (status != Approval.Status.APPROVED) {
            throw status == Approval.Status.USED ? DomainException.conflict("approval " + id + " was already used")
                    : DomainException.forbidden("approval " + id + " is " + status.name().toLowerCase(Locale.ROOT));
        }
        if (!approval.backend().equals(backend) || !approval.role().equals(role) || ttl.toSeconds() > approval.ttlSeconds()) {
            throw DomainException.forbidden("approval " + id + " was given for " + approval.backend() + "/" + approval.role()
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
