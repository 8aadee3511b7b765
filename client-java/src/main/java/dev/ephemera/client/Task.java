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

    Task(HttpTransport transport, TaskInfo started, String token) {
        this.transport = Objects.requireNonNull(transport);
        this.started = Objects.requireNonNull(started);
        this.token = Objects.requireNonNull(token);
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
        return requestLease(backend, role, null);
    }

    /**
     * Leases a credential valid for {@code ttl}. The server may grant less: the role's maximum
     * and the task's expiry cap it; the lease's {@code expiresAt} says what was granted.
     *
     * @param ttl whole seconds, at least one
     */
    public Lease lease(String backend, String role, Duration ttl) {
        requireTarget(backend, role);
        return requestLease(backend, role, Args.seconds(ttl, "ttl"));
    }

    private static void requireTarget(String backend, String role) {
        Args.requireText(backend, "backend");
        Args.requireText(role, "role");
    }

    private Lease requestLease(String backend, String role, Long ttlSeconds) {
        if (ended.get()) {
            throw new IllegalStateException("task " + id() + " has ended; start a new task to lease credentials");
        }
        return transport.call("POST", "v1/leases", token, new Wire.LeaseRequest(backend, role, ttlSeconds),
                Wire.LeaseBody.class, body -> new Lease(this, body.toInfo(), body.toCredential()));
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
