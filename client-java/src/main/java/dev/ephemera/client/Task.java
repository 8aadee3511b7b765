package dev.ephemera.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open task: the scope that leases are drawn in. Holds the task token, which never leaves
 * this object. Closing the task ends it, and the server revokes all its leases. Thread-safe.
 */
public final class Task implements AutoCloseable {

    private final HttpTransport transport;
    private final TaskInfo started;
    private final String token;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Duration approvalWait;

    Task(HttpTransport transport, TaskInfo started, String token) {
        this(transport, started, token, Ephemera.DEFAULT_APPROVAL_WAIT);
    }

    Task(HttpTransport transport, TaskInfo started, String token, Duration approvalWait) {
        this.transport = Objects.requireNonNull(transport);
        this.started = Objects.requireNonNull(started);
        this.token = Objects.requireNonNull(token);
        this.approvalWait = Objects.requireNonNull(approvalWait);
    }

    public String id() {
        return started.id();
    }

    public String agentId() {
        return started.agentId();
    }

    public String objective() {
        return started.objective();
    }

    public Instant issuedAt() {
        return started.issuedAt();
    }

    /** When the server ends the task on its own; leases never outlive it. */
    public Instant expiresAt() {
        return started.expiresAt();
    }

    /** Reads the task's current state from the server. */
    public TaskInfo info() {
        return transport.call("GET", "v1/tasks/self", token, null, Wire.TaskBody.class, Wire.TaskBody::toInfo);
    }

    /** Leases a credential for the role's default TTL. */
    public Lease lease(String backend, String role) {
        requireTarget(backend, role);
        return requestLease("v1/leases", backend, role, null);
    }

    /**
     * Leases a credential valid for {@code ttl}. The server may grant less: the role's maximum
     * and the task's expiry cap it; the lease's {@code expiresAt} says what was granted.
     *
     * @param ttl whole seconds, at least one
     */
    public Lease lease(String backend, String role, Duration ttl) {
        requireTarget(backend, role);
        return requestLease("v1/leases", backend, role, Args.seconds(ttl, "ttl"));
    }

    /**
     * Checks out an account of a library, exclusively, for the library's default TTL: the
     * credential's {@code username} and {@code password} are the account's. Give it back with
     * {@link Lease#revoke()} (ending the task does too): the vault then rotates its password. When
     * every account is held the server answers 409 {@code none_free}, saying when one is due back.
     */
    public Lease checkOut(String library) {
        return requestLease(checkOutPath(library), null, null, null);
    }

    /** As {@link #checkOut(String)}, for {@code ttl} (whole seconds). */
    public Lease checkOut(String library, Duration ttl) {
        return requestLease(checkOutPath(library), null, null, Args.seconds(ttl, "ttl"));
    }

    /**
     * Leases a credential-injecting proxy route: the credential holds the proxy's {@code address}
     * and a {@code token} the proxy takes in place of the escrowed secret, which never reaches the
     * agent (HTTP: {@code Proxy-Authorization: Bearer <token>}; PostgreSQL: the token as password,
     * {@code sslmode=require}).
     */
    public Lease proxy(String route, Duration ttl) {
        return requestLease("v1/proxy/routes/" + Args.pathSegment(route, "route") + "/lease", null, null,
                ttl == null ? null : Args.seconds(ttl, "ttl"));
    }

    private static String checkOutPath(String library) {
        return "v1/libraries/" + Args.pathSegment(library, "library") + "/check-out";
    }

    private static void requireTarget(String backend, String role) {
        Args.requireText(backend, "backend");
        Args.requireText(role, "role");
    }

    /**
     * A lease that policy holds for approval (HTTP 202) is waited for here, up to the client's
     * {@code approvalWait}, then taken with the approval's id.
     */
    private Lease requestLease(String path, String backend, String role, Long ttlSeconds) {
        if (ended.get()) {
            throw new IllegalStateException("task " + id() + " has ended; start a new task to lease credentials");
        }
        String call = "POST /" + path;
        HttpTransport.Reply reply = transport.exchange("POST", path, token, new Wire.LeaseRequest(backend, role, ttlSeconds));
        if (reply.status() == 202) {
            Wire.ApprovalBody held = Responses.read(202, reply.body(), Wire.ApprovalBody.class, b -> b, call);
            String approvalId = awaitApproval(Wire.required(held.approvalId(), "approval_id"),
                    backend == null ? path : backend + "/" + role);
            reply = transport.exchange("POST", path, token, new Wire.LeaseRequest(backend, role, ttlSeconds, approvalId));
        }
        return Responses.read(reply.status(), reply.body(), Wire.LeaseBody.class,
                body -> new Lease(this, body.toInfo(), body.toCredential()), call);
    }

    private String awaitApproval(String approvalId, String target) {
        long deadline = System.nanoTime() + approvalWait.toNanos();
        // Each wait stays under the request timeout, so a long wait is a series of short calls.
        long waitSeconds = Math.max(1, Math.min(25, transport.timeout().toSeconds() - 5));
        String path = "v1/approvals/" + Args.pathSegment(approvalId, "approvalId") + "?wait=" + waitSeconds + "s";
        while (true) {
            Wire.ApprovalBody approval = transport.call("GET", path, token, null, Wire.ApprovalBody.class, b -> b);
            switch (String.valueOf(approval.status())) {
                case "approved" -> {
                    return approvalId;
                }
                case "pending" -> {
                    if (System.nanoTime() > deadline) {
                        throw new ApprovalPendingException(approvalId, "the lease of " + target + " awaits approval " + approvalId
                                + " after " + approvalWait.toSeconds() + "s; it stays pending on the server");
                    }
                }
                default -> throw new PermissionDeniedException(403, "approval_" + approval.status(), "the lease of " + target
                        + " was not approved (" + approval.status() + reasonOf(approval) + ")");
            }
        }
    }

    private static String reasonOf(Wire.ApprovalBody approval) {
        return approval.votes() == null ? "" : approval.votes().stream().filter(v -> !v.approve()).findFirst()
                .map(v -> ": " + v.approver() + " said \"" + v.comment() + "\"").orElse("");
    }

    /**
     * Offers part of this task's work to another registered agent. The sub-task's scope (tools,
     * sensitivity, roles, lifetime) must fit within this task's; hand {@link Delegation#token()}
     * to that agent, which accepts it with {@link Ephemera#acceptDelegation}.
     */
    public Delegation delegate(String agentId, TaskSpec spec) {
        Args.requireText(agentId, "agentId");
        Objects.requireNonNull(spec, "spec");
        return transport.call("POST", "v1/tasks/self/delegations", token, Wire.DelegateRequest.of(agentId, spec),
                Wire.DelegationBody.class, Wire.DelegationBody::toDelegation);
    }

    /** Reads the current state of one of this task's leases. */
    public LeaseInfo lookup(String leaseId) {
        return transport.call("GET", leasePath(leaseId), token, null, Wire.LeaseBody.class, Wire.LeaseBody::toInfo);
    }

    LeaseInfo renew(String leaseId, long incrementSeconds) {
        return transport.call("POST", leasePath(leaseId) + "/renew", token, new Wire.RenewRequest(incrementSeconds),
                Wire.LeaseBody.class, Wire.LeaseBody::toInfo);
    }

    LeaseInfo revoke(String leaseId) {
        return transport.call("POST", leasePath(leaseId) + "/revoke", token, null,
                Wire.LeaseBody.class, Wire.LeaseBody::toInfo);
    }

    /**
     * Ends the task now; the server revokes all its leases in the background. Calling it again
     * is harmless.
     *
     * @return the number of leases the server started revoking
     */
    public int end() {
        int revoking = transport.call("POST", "v1/tasks/self/end", token, null,
                Wire.EndTaskBody.class, Wire.EndTaskBody::revoking);
        ended.set(true);
        return revoking;
    }

    /**
     * Ends the task unless it already ended. A task the server no longer accepts (expired: 401,
     * gone: 404, no longer active: 409) counts as ended, so this never throws for a finished
     * task. Other failures are thrown: the caller should know its leases were not revoked early
     * (they still expire at their TTL).
     */
    @Override
    public void close() {
        if (ended.get()) {
            return;
        }
        try {
            end();
        } catch (AuthenticationException | NotFoundException e) {
            ended.set(true);
        } catch (InvalidRequestException e) {
            if (e.status() != 409) {
                throw e;
            }
            ended.set(true);
        }
    }

    private static String leasePath(String leaseId) {
        return "v1/leases/" + Args.pathSegment(leaseId, "leaseId");
    }

    @Override
    public String toString() {
        return "Task[id=" + started.id() + ", agentId=" + started.agentId() + ", expiresAt=" + started.expiresAt()
                + (ended.get() ? ", ended" : "") + "]";
    }
}
