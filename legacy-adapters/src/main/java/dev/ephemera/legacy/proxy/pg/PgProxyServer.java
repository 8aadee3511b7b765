package dev.ephemera.legacy.proxy.pg;

import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL wire-protocol proxy that injects credentials: an agent connects over TLS with its
 * lease token as password, the proxy logs in upstream with the escrowed password (SCRAM-SHA-256)
 * and relays the session, which ends when the lease is revoked. The agent never holds the password.
 * Blocking channels: a platform thread per connection, which relays one direction once the session
 * is admitted, and one more for the other direction (why: {@link PgSession}).
 */
public final class PgProxyServer implements AutoCloseable {
    static final String PROTOCOL = "postgresql";
    private static final Logger LOG = LoggerFactory.getLogger(PgProxyServer.class);

    private final SSLSocketFactory clientTls;
    private final InetSocketAddress bind;
    private final PgProxyAuthenticator authenticator;
    private final ProxyAudit audit;
    private final UpstreamLogin upstreamLogin;
    private final UpstreamEnd upstreamEnd;
    private final ScheduledExecutorService timer;
    private final Set<PgSession> handshaking = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> handshakesBySource = new ConcurrentHashMap<>();
    private final Map<String, Set<PgSession>> byLease = new ConcurrentHashMap<>();
    private final Map<PgWire.CancelKey, PgSession> byCancelKey = new ConcurrentHashMap<>();
    /** Sessions of revoked leases whose upstream end is not confirmed yet: the next closeLease retries. */
    private final Map<String, Set<PgSession>> unconfirmed = new ConcurrentHashMap<>();
    private final PgProxyLimits limits;
    private final RefusalLog refusals;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile ServerSocket listener;
    private volatile boolean closed;

    /** Upstreams asking for TLS are verified against the JVM's default trust store. */
    public PgProxyServer(SSLContext tls, InetSocketAddress bind, PgProxyAuthenticator authenticator, ProxyAudit audit) {
        this(tls, bind, authenticator, audit, defaultContext(), PgProxyLimits.DEFAULTS);
    }

    /**
     * @param upstreamTls trust (and client identity, if any) for upstreams whose {@link PgUpstream#tls()} is set
     * @param maxSessions admitted sessions at once; beyond it a client is refused with SQLSTATE 53300
     */
    public PgProxyServer(SSLContext tls, InetSocketAddress bind, PgProxyAuthenticator authenticator, ProxyAudit audit, SSLContext upstreamTls,
                         int maxSessions) {
        this(tls, bind, authenticator, audit, upstreamTls, PgProxyLimits.DEFAULTS.withMaxSessions(maxSessions));
    }

    /** @param upstreamTls trust (and client identity, if any) for upstreams whose {@link PgUpstream#tls()} is set */
    public PgProxyServer(SSLContext tls, InetSocketAddress bind, PgProxyAuthenticator authenticator, ProxyAudit audit, SSLContext upstreamTls,
                         PgProxyLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clientTls = Objects.requireNonNull(tls, "tls").getSocketFactory();
        this.bind = Objects.requireNonNull(bind, "bind");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.upstreamLogin = new UpstreamLogin(Objects.requireNonNull(upstreamTls, "upstreamTls"), new SecureRandom());
        this.upstreamEnd = new UpstreamEnd(upstreamLogin, authenticator);
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("pg-proxy-deadlines").factory());
        deadlines.setRemoveOnCancelPolicy(true);
        this.timer = Executors.unconfigurableScheduledExecutorService(deadlines);
        this.refusals = new RefusalLog(audit, PROTOCOL, limits.refusalLogInterval(), timer);
    }

    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        // Channels in blocking mode on platform threads: a read that waits is one read(2) sleeping in
        // the kernel, where a java.net.Socket (and any socket a virtual thread has used) makes it a
        // failed read, a poll(2) and a second read (why it matters: PgSession).
        ServerSocket socket = ServerSocketChannel.open().socket();
        socket.setReuseAddress(true);
        socket.bind(bind, 512);
        listener = socket;
        Thread.ofPlatform().daemon().name("pg-proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        ServerSocket socket = listener;
        if (socket == null) {
            throw new IllegalStateException("not started");
        }
        return socket.getLocalPort();
    }

    /**
     * Ends every session (live or still logging in) of this lease: each client is cut at once, and
     * this returns only once each upstream backend is gone, so that nothing sent under the lease
     * commits after its revocation is confirmed.
     *
     * @return how many sessions the lease had
     * @throws RevocationIncompleteException when a backend's end cannot be confirmed; calling
     *     again retries those sessions
     */
    public int closeLease(String leaseId) throws RevocationIncompleteException {
        Set<PgSession> live = Objects.requireNonNullElse(byLease.remove(leaseId), Set.of());
        Set<PgSession> ending = new HashSet<>(live);
        ending.addAll(Objects.requireNonNullElse(unconfirmed.remove(leaseId), Set.of()));
        if (ending.isEmpty()) {
            return 0;
        }
        Map<PgSession, Future<?>> ends = new HashMap<>();
        try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
            ending.forEach(session -> ends.put(session, parallel.submit(() -> {
                session.revoke(upstreamEnd);
                return null;
            })));
        }
        Set<PgSession> failed = ConcurrentHashMap.newKeySet();
        String reason = null;
        for (Map.Entry<PgSession, Future<?>> end : ends.entrySet()) {
            try {
                end.getValue().get();
            } catch (ExecutionException | InterruptedException e) {
                failed.add(end.getKey());
                reason = e instanceof ExecutionException ? String.valueOf(e.getCause().getMessage()) : "interrupted";
            }
        }
        if (!failed.isEmpty()) {
            unconfirmed.merge(leaseId, failed, (earlier, later) -> {
                earlier.addAll(later);
                return earlier;
            });
            LOG.warn("lease {}: {} of {} upstream sessions not confirmed ended: {}", leaseId, failed.size(), ending.size(), reason);
            throw new RevocationIncompleteException(failed.size() + " of " + ending.size()
                    + " PostgreSQL proxy sessions of the lease not confirmed ended upstream: " + reason);
        }
        return live.size();
    }

    @Override
    public void close() {
        closed = true;
        ServerSocket socket = listener;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing the listener: {}", e.toString());
            }
        }
        handshaking.forEach(session -> session.terminate(PgSession.END_SHUTDOWN));
        byLease.values().forEach(sessions -> sessions.forEach(session -> session.terminate(PgSession.END_SHUTDOWN)));
        timer.shutdownNow();
    }

    private void acceptLoop() {
        ServerSocket socket = listener;
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("accepting PostgreSQL clients failed: {}", e.toString());
                    pauseAfterAcceptFailure();
                }
                continue;
            }
            try {
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                UpstreamLogin.closeQuietly(client);
                continue;
            }
            PgSession session = new PgSession(this, client);
            String full = admitHandshake(session);
            if (full != null) {
                refusals.refused(client.getInetAddress().getHostAddress(), full);
                UpstreamLogin.closeQuietly(client);
                continue;
            }
            Thread.ofPlatform().daemon().stackSize(PgSession.STACK_BYTES).name("pg-proxy-session").start(session);
        }
    }

    /**
     * Takes a handshake place for the session (the accept loop is the only caller); returns why
     * there is none, or null. Each source has only so many places, so that the others keep theirs.
     */
    private String admitHandshake(PgSession session) {
        if (handshaking.size() >= limits.maxHandshakes()) {
            return "too many connections in their handshake (" + limits.maxHandshakes() + ")";
        }
        boolean[] taken = {false};
        handshakesBySource.compute(session.source(), (source, count) -> {
            int now = count == null ? 0 : count;
            if (now >= limits.maxHandshakesPerSource()) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        if (!taken[0]) {
            return "too many connections in their handshake from this address (" + limits.maxHandshakesPerSource() + ")";
        }
        handshaking.add(session);
        return null;
    }

    /** Out of file descriptors, say: retrying at once would only spin. */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the upstream of the session holding this key to cancel its query; unknown keys are dropped. */
    void forwardCancel(PgWire.CancelKey key) {
        PgSession session = byCancelKey.get(key);
        PgUpstream upstream = session == null ? null : session.upstream();
        if (upstream == null) {
            return;
        }
        try {
            UpstreamEnd.cancel(upstream, key);
        } catch (IOException e) {
            LOG.debug("forwarding a cancel request for lease {} failed: {}", upstream.lease().leaseId(), e.toString());
        }
    }

    void register(PgSession session, ProxyLease lease) {
        byLease.computeIfAbsent(lease.leaseId(), id -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void registerCancelKey(PgWire.CancelKey key, PgSession session) {
        byCancelKey.put(key, session);
    }

    void unregister(PgSession session, ProxyLease lease, PgWire.CancelKey key) {
        byLease.computeIfPresent(lease.leaseId(), (id, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
        if (key != null) {
            byCancelKey.remove(key, session);
        }
    }

    /** Takes one of the session places; false when all are taken. */
    boolean admitSession() {
        int taken;
        do {
            taken = sessions.get();
            if (taken >= limits.maxSessions()) {
                return false;
            }
        } while (!sessions.compareAndSet(taken, taken + 1));
        return true;
    }

    void sessionEnded() {
        sessions.decrementAndGet();
    }

    int maxSessions() {
        return limits.maxSessions();
    }

    PgProxyLimits limits() {
        return limits;
    }

    RefusalLog refusals() {
        return refusals;
    }

    /** Gives the session's handshake place back; once only, however often it is called. */
    void handshakeEnded(PgSession session) {
        if (handshaking.remove(session)) {
            handshakesBySource.computeIfPresent(session.source(), (source, count) -> count <= 1 ? null : count - 1);
        }
    }

    SSLSocketFactory clientTls() {
        return clientTls;
    }

    PgProxyAuthenticator authenticator() {
        return authenticator;
    }

    ProxyAudit audit() {
        return audit;
    }

    UpstreamLogin upstreamLogin() {
        return upstreamLogin;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }
}
