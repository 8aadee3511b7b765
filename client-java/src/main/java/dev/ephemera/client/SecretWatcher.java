package dev.ephemera.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Follows one escrowed secret across rotations. A virtual (daemon) thread long-polls the vault
 * and hands every new version to the listeners, on that thread, one listener and one version at
 * a time: a listener's first call carries the version known when it was added, later calls each
 * newer version.
 *
 * <p>While the vault is unreachable the watcher keeps the last version it knows and retries with
 * capped exponential backoff and jitter. It stops for good when the vault refuses the grant
 * (HTTP 401: token withdrawn or not valid; 403; 404: the grant does not cover the secret) or the
 * request: the failure goes to every {@link #onFailure} handler, and {@link #current()} and
 * {@link #awaitVersionAfter} throw it. {@link #close()} stops it too. Thread-safe.
 */
public final class SecretWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SecretWatcher.class.getName());

    private final EscrowConsumer consumer;
    private final String secretId;
    private final Backoff backoff;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private SecretVersion latest;
    private EphemeraException failure;
    private boolean closed;
    private String lastProblem;

    /** Held while calling listeners and failure handlers, so each sees versions in order, once. */
    private final ReentrantLock delivery = new ReentrantLock();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<? super EphemeraException>> failureHandlers = new CopyOnWriteArrayList<>();
    private boolean failureReported;

    private SecretWatcher(EscrowConsumer consumer, String secretId, Backoff backoff) {
        this.consumer = consumer;
        this.secretId = secretId;
        this.backoff = backoff;
        this.thread = Thread.ofVirtual().name("ephemera-watch-" + secretId).unstarted(this::run);
    }

    static SecretWatcher start(EscrowConsumer consumer, String secretId, Backoff backoff) {
        SecretWatcher watcher = new SecretWatcher(consumer, secretId, backoff);
        watcher.thread.start();
        return watcher;
    }

    public String secretId() {
        return secretId;
    }

    /** The last version received, kept while the vault is unreachable; empty before the first. */
    public Optional<SecretVersion> latest() {
        lock.lock();
        try {
            return Optional.ofNullable(latest);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The last version received, waiting up to the request timeout for the first one.
     *
     * @throws EphemeraException          the failure that stopped the watcher (the same instance
     *                                    every time), e.g. {@link AuthenticationException}
     * @throws ServerUnavailableException if no version arrived in time
     * @throws IllegalStateException      if the watcher is closed
     */
    public SecretVersion current() {
        Duration patience = consumer.requestTimeout();
        return awaitVersionAfter(0, patience).orElseThrow(() -> {
            String problem = problem();
            return new ServerUnavailableException(0, ServerUnavailableException.TIMEOUT, "no version of secret " + secretId
                    + " from Ephemera at " + consumer.address() + " within " + patience + (problem == null ? "" : ": " + problem));
        });
    }

    /**
     * Waits until a version newer than {@code version} is known, e.g. after a login with
     * {@code version} failed because a rotation was under way.
     *
     * @return the newer version, or empty if none came within {@code timeout}
     * @throws EphemeraException     the failure that stopped the watcher
     * @throws IllegalStateException if the watcher is closed
     */
    public Optional<SecretVersion> awaitVersionAfter(int version, Duration timeout) {
        long nanos = Args.positive(timeout, "timeout").toNanos();
        lock.lock();
        try {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (closed) {
                    throw new IllegalStateException("the watcher of secret " + secretId + " is closed");
                }
                if (latest != null && latest.version() > version) {
                    return Optional.of(latest);
                }
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerUnavailableException(0, ServerUnavailableException.INTERRUPTED,
                    "interrupted while waiting for a version of secret " + secretId, e);
        } finally {
            lock.unlock();
        }
    }

    /** Calls {@code listener} with the latest version now if one is known, then with every newer one. */
    public SecretWatcher addListener(Consumer<? super SecretVersion> listener) {
        Listener added = new Listener(Objects.requireNonNull(listener, "listener must not be null"));
        delivery.lock();
        try {
            listeners.add(added);
            latest().ifPresent(added::offer);
        } finally {
            delivery.unlock();
        }
        return this;
    }

    /** Calls {@code handler} once when the vault refuses the watch for good; at once if it already has. */
    public SecretWatcher onFailure(Consumer<? super EphemeraException> handler) {
        Objects.requireNonNull(handler, "handler must not be null");
        delivery.lock();
        try {
            if (failureReported) {
                report(handler, failure().orElseThrow());
            } else {
                failureHandlers.add(handler);
            }
        } finally {
            delivery.unlock();
        }
        return this;
    }

    /** The refusal that stopped the watcher, if one did. */
    public Optional<EphemeraException> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    /** Neither closed nor stopped by a refusal; it may still be retrying an unreachable vault. */
    public boolean isRunning() {
        lock.lock();
        try {
            return !closed && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the watcher; idempotent. The last version stays readable through {@link #latest()}. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
    }

    private void run() {
        String etag = null;
        int attempt = 0;
        while (isRunning()) {
            try {
                EscrowConsumer.Poll poll = consumer.poll(secretId, etag);
                attempt = 0;
                etag = poll.etag();
                if (poll.version() != null) {
                    publish(poll.version());
                }
            } catch (ServerUnavailableException | RateLimitedException e) {
                if (!isRunning()) {
                    return;
                }
                Duration delay = backoff.delay(attempt++, ThreadLocalRandom.current());
                if (e instanceof RateLimitedException limited && limited.retryAfter().orElse(Duration.ZERO).compareTo(delay) > 0) {
                    delay = limited.retryAfter().orElseThrow();
                }
                retryLater(e, delay);
            } catch (EphemeraException e) {
                stop(e);
                return;
            }
        }
    }

    private void publish(SecretVersion version) {
        lock.lock();
        try {
            if (!version.isNewerThan(latest)) {
                // A vault restored from a backup: the application keeps the newer value it has.
                LOG.log(Level.WARNING, "Ephemera serves version {0} of secret {1}, older than version {2} already received; ignored",
                        version.version(), secretId, latest.version());
                return;
            }
            latest = version;
            lastProblem = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, "secret {0} is now at version {1}", secretId, version.version());
        delivery.lock();
        try {
            for (Listener listener : listeners) {
                listener.offer(version);
            }
        } finally {
            delivery.unlock();
        }
    }

    private void retryLater(EphemeraException e, Duration delay) {
        lock.lock();
        try {
            lastProblem = e.getMessage();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.WARNING, "cannot read secret {0} from Ephemera ({1}); keeping {2}, retrying in {3} ms", secretId,
                e.getMessage(), latest().map(v -> "version " + v.version()).orElse("no version yet"), Long.toString(delay.toMillis()));
        try {
            Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
            // close() interrupts; the loop's condition tells a close from a stray interrupt.
        }
    }

    private void stop(EphemeraException e) {
        lock.lock();
        try {
            failure = e;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        String why = switch (e) {
            case AuthenticationException ignored -> "the consumer token was refused (withdrawn, or not valid)";
            case NotFoundException ignored -> "the consumer grant does not cover this secret (withdrawn?)";
            case PermissionDeniedException ignored -> "the token is not a consumer token";
            default -> "the vault refused the request";
        };
        LOG.log(Level.WARNING, "stopped watching secret {0}: {1}; HTTP {2}: {3}", secretId, why, e.status(), e.getMessage());
        delivery.lock();
        try {
            failureReported = true;
            for (Consumer<? super EphemeraException> handler : failureHandlers) {
                report(handler, e);
            }
        } finally {
            delivery.unlock();
        }
    }

    private void report(Consumer<? super EphemeraException> handler, EphemeraException e) {
        try {
            handler.accept(e);
        } catch (RuntimeException handlerFailure) {
            LOG.log(Level.WARNING, "a failure handler of the watcher of secret " + secretId + " threw", handlerFailure);
        }
    }

    private String problem() {
        lock.lock();
        try {
            return lastProblem;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        String state = failure().map(e -> "stopped (HTTP " + e.status() + ")").orElse(isRunning() ? "running" : "closed");
        return "SecretWatcher[secretId=" + secretId + ", version=" + latest().map(SecretVersion::version).orElse(0)
                + ", state=" + state + "]";
    }

    /** A listener and the last version it was given; touched only under the delivery lock. */
    private final class Listener {
        private final Consumer<? super SecretVersion> target;
        private int delivered;

        Listener(Consumer<? super SecretVersion> target) {
            this.target = target;
        }

        void offer(SecretVersion version) {
            if (version.version() <= delivered) {
                return;
            }
            delivered = version.version();
            try {
                target.accept(version);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a listener of secret " + secretId + " failed on version " + version.version(), e);
            }
        }
    }
}
