package dev.ephemera.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A credential leased for a task, and the latest known state of its lease. {@link #renew},
 * {@link #revoke} and {@link #refresh} update that state. Thread-safe.
 */
public final class Lease {

    private final Task task;
    private final Credential credential;
    private final AtomicReference<LeaseInfo> info;

    Lease(Task task, LeaseInfo info, Credential credential) {
        this.task = Objects.requireNonNull(task);
        this.credential = Objects.requireNonNull(credential);
        this.info = new AtomicReference<>(Objects.requireNonNull(info));
    }

    public String id() {
        return info.get().id();
    }

    public String backend() {
        return info.get().backend();
    }

    public String role() {
        return info.get().role();
    }

    public String taskId() {
        return info.get().taskId();
    }

    public Instant issuedAt() {
        return info.get().issuedAt();
    }

    /** When the lease is revoked unless renewed, as last reported by the server. */
    public Instant expiresAt() {
        return info.get().expiresAt();
    }

    /** The latest expiry any renewal can reach. */
    public Instant maxExpiresAt() {
        return info.get().maxExpiresAt();
    }

    /** The state last reported by the server; {@link #refresh()} asks again. */
    public LeaseState state() {
        return info.get().state();
    }

    /** The latest known server view of this lease. */
    public LeaseInfo info() {
        return info.get();
    }

    /** The credential issued with the lease. It stops working once the lease is revoked. */
    public Credential credential() {
        return credential;
    }

    /**
     * The credential as the given type, e.g. {@code credential(PostgresCredential.class)}.
     *
     * @throws IllegalStateException if the lease carries another type of credential
     */
    public <T extends Credential> T credential(Class<T> type) {
        Objects.requireNonNull(type, "type must not be null");
        if (!type.isInstance(credential)) {
            throw new IllegalStateException("lease " + id() + " carries a credential of type " + credential.type()
                    + " (" + credential.getClass().getSimpleName() + "), not " + type.getSimpleName());
        }
        return type.cast(credential);
    }

    /**
     * Extends the lease by {@code increment} from now. The server caps the new expiry at
     * {@link #maxExpiresAt()} and at the task's expiry, so check the returned {@code expiresAt}.
     *
     * @param increment whole seconds, at least one
     */
    public LeaseInfo renew(Duration increment) {
        long seconds = Args.seconds(increment, "increment");
        return update(task.renew(id(), seconds));
    }

    /** Asks the server to revoke the lease now; the returned state is {@code REVOKING} or {@code REVOKED}. */
    public LeaseInfo revoke() {
        return update(task.revoke(id()));
    }

    /** Reads the lease's current state from the server. */
    public LeaseInfo refresh() {
        return update(task.lookup(id()));
    }

    private LeaseInfo update(LeaseInfo latest) {
        info.set(latest);
        return latest;
    }

    @Override
    public String toString() {
        LeaseInfo current = info.get();
        return "Lease[id=" + current.id() + ", backend=" + current.backend() + ", role=" + current.role()
                + ", state=" + current.state() + ", expiresAt=" + current.expiresAt()
                + ", credential=" + credential.type() + "]";
    }
}
