package dev.ephemera.legacy.proxy.pg;

import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent connection: admission (TLS, lease token), the upstream login with the escrowed
 * password, then a byte relay in both directions until either side closes or the lease is revoked.
 */
final class PgSession implements Runnable {
    static final String END_CLIENT = "client closed";
    static final String END_UPSTREAM = "upstream closed";
    static final String END_REVOKED = "lease revoked";
    static final String END_ERROR = "error";
    static final String END_SHUTDOWN = "proxy closed";
    /** ParameterStatus, BackendKeyData and notices are small; this only bounds a broken upstream. */
    private static final int MAX_GREETING_MESSAGE = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(PgSession.class);
    private static final SecureRandom IDS = new SecureRandom();
    /**
     * Sessions run on platform threads: a blocking read wakes a platform thread directly, where a
     * virtual thread waits for the poller and then a carrier. With pgbench -S through the proxy,
     * virtual threads cost about twice the proxy CPU per transaction (33.6 against 16.4 us) and
     * reached 0.50 of direct TPS against 0.81 (bench/RESULTS.md, 2026-11-23). Handshakes in flight
     * are bounded ({@link PgProxyLimits}), in all and per source, sessions too. Stacks are shallow.
     */
    static final long STACK_BYTES = 256 * 1024;

    private final PgProxyServer server;
    private final Socket clientRaw;
    private final InetAddress source;
    private final String client;
    private final String connectionId;
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private volatile Socket upstreamRaw;
    private volatile PgUpstream upstream;
    private volatile PgWire.CancelKey cancelKey;

    PgSession(PgProxyServer server, Socket clientRaw) {
        this.server = server;
        this.clientRaw = clientRaw;
        this.source = clientRaw.getInetAddress();
        this.client = source.getHostAddress() + ":" + clientRaw.getPort();
        byte[] id = new byte[12];
        IDS.nextBytes(id);
        this.connectionId = "pgc_" + HexFormat.of().formatHex(id);
    }

    @Override
    public void run() {
        ScheduledFuture<?> deadline;
        int handshakeMillis = server.limits().handshakeMillis();
        try {
            deadline = server.timer().schedule(() -> UpstreamLogin.closeQuietly(clientRaw), handshakeMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            server.handshakeEnded(this);
            UpstreamLogin.closeQuietly(clientRaw);
            return;
        }
        ClientHandshake handshake = null;
        try {
            clientRaw.setSoTimeout(handshakeMillis);
            handshake = new ClientHandshake(server.clientTls(), clientRaw);
            switch (handshake.run()) {
                case ClientHandshake.Cancel cancel -> server.forwardCancel(cancel.key());
                case ClientHandshake.Ignored ignored -> LOG.debug("{} ignored a cancel key the proxy never issued", client);
                case ClientHandshake.Admitted admitted -> serve(handshake, admitted, deadline);
            }
        } catch (PgRefusal refusal) {
            refuse(handshake, refusal);
        } catch (IOException e) {
            server.refusals().refused(client, "handshake failed: " + e.getClass().getSimpleName());
        } finally {
            deadline.cancel(false);
            server.handshakeEnded(this);
            UpstreamLogin.closeQuietly(clientRaw);
            Socket up = upstreamRaw;
            if (up != null) {
                UpstreamLogin.closeQuietly(up);
            }
        }
    }

    InetAddress source() {
        return source;
    }

    PgUpstream upstream() {
        return upstream;
    }

    private void serve(ClientHandshake handshake, ClientHandshake.Admitted admitted, ScheduledFuture<?> deadline)
            throws IOException, PgRefusal {
        if (!server.admitSession()) {
            throw new PgRefusal("53300", "too many sessions through this proxy; try again later",
                    "session limit reached (" + server.maxSessions() + ")");
        }
        try {
            serveAdmitted(handshake, admitted, deadline);
        } finally {
            server.sessionEnded();
        }
    }

    private void serveAdmitted(ClientHandshake handshake, ClientHandshake.Admitted admitted, ScheduledFuture<?> deadline)
            throws IOException, PgRefusal {
        PgUpstream target = authenticate(admitted);
        upstream = target;
        server.register(this, target.lease());
        try {
            // A revocation forgets the lease's token, then closes the sessions registered under it: with
            // the token checked again once registered, either this check sees it gone or that close sees
            // this session, so none slips between the two.
            if (!authenticate(admitted).lease().leaseId().equals(target.lease().leaseId())) {
                throw new PgRefusal("28P01", "the lease token changed during admission", "lease changed during admission");
            }
            UpstreamLogin.Outcome outcome = server.upstreamLogin().login(target, admitted.startup().parameters());
            switch (outcome) {
                case UpstreamLogin.Failed failed -> throw failed.unreachable()
                        ? new PgRefusal("08001", "upstream unavailable", failed.reason())
                        : new PgRefusal("28000", "upstream login failed", failed.reason());
                case UpstreamLogin.LoggedIn loggedIn -> {
                    upstreamRaw = loggedIn.raw();
                    if (endReason.get() != null) {
                        throw new PgRefusal("57P01", "lease revoked", "lease revoked during login");
                    }
                    relay(handshake, loggedIn, target.lease(), deadline);
                }
            }
        } finally {
            server.unregister(this, target.lease(), cancelKey);
        }
    }

    private PgUpstream authenticate(ClientHandshake.Admitted admitted) throws PgRefusal {
        try {
            return server.authenticator().authenticate(admitted.user(), admitted.database(), admitted.leaseToken(), client);
        } catch (ProxyRefusedException e) {
            String why = Objects.requireNonNullElse(e.getMessage(), "lease token refused");
            throw new PgRefusal("28P01", why, "lease token refused: " + why);
        } catch (RuntimeException e) {
            LOG.warn("{}: the authenticator failed: {}", connectionId, e.getClass().getName());
            throw new PgRefusal("08006", "the proxy could not check the lease token", "authenticator failed: " + e.getClass().getSimpleName());
        }
    }

    private void relay(ClientHandshake handshake, UpstreamLogin.LoggedIn upstreamLink, ProxyLease lease, ScheduledFuture<?> deadline)
            throws IOException {
        server.audit().opened(connectionId, PgProxyServer.PROTOCOL, lease, client);
        LOG.debug("{} relaying for lease {} from {}", connectionId, lease.leaseId(), client);
        Pump fromClient = new Pump(handshake.in(), upstreamLink.socket().getOutputStream(), END_CLIENT, END_UPSTREAM, true, this::terminate,
                new TerminateWatch());
        Pump toClient = new Pump(upstreamLink.in(), handshake.tlsOut(), END_UPSTREAM, END_CLIENT, false, this::terminate, null);
        long greeting = 0;
        try {
            ByteArrayOutputStream hello = new ByteArrayOutputStream(1024);
            hello.writeBytes(PgWire.authentication(PgWire.AUTH_OK));
            boolean ready = forwardGreeting(upstreamLink.in(), hello);
            handshake.tlsOut().write(hello.toByteArray());
            greeting = hello.size();
            if (!ready) {
                terminate(END_UPSTREAM);
                return;
            }
            deadline.cancel(false);
            clientRaw.setSoTimeout(0);
            server.handshakeEnded(this);
            Thread downstream = Thread.ofPlatform().daemon().stackSize(STACK_BYTES).name(connectionId + "-down").start(toClient);
            fromClient.run();
            joinQuietly(downstream);
        } catch (IOException e) {
            terminate(e instanceof PgProtocolException ? END_ERROR : END_UPSTREAM);
        } finally {
            long toClientBytes = greeting + toClient.bytes();
            server.audit().closed(connectionId, PgProxyServer.PROTOCOL, lease, fromClient.bytes(), toClientBytes, endReason.get());
            LOG.debug("{} closed ({}): {} bytes from the client, {} to it", connectionId, endReason.get(), fromClient.bytes(), toClientBytes);
        }
    }

    /**
     * Copies what the upstream sends after AuthenticationOk up to its first ReadyForQuery, keeping
     * the BackendKeyData so that cancel requests can be routed; false if the upstream gave up instead.
     */
    private boolean forwardGreeting(InputStream upstreamIn, ByteArrayOutputStream hello) throws IOException {
        while (true) {
            PgWire.Message message = PgWire.read(upstreamIn, MAX_GREETING_MESSAGE);
            hello.writeBytes(message.encoded());
            switch (message.type()) {
                case PgWire.BACKEND_KEY_DATA -> {
                    PgWire.Body body = message.reader();
                    cancelKey = new PgWire.CancelKey(body.int32(), body.int32());
                    server.registerCancelKey(cancelKey, this);
                }
                case PgWire.READY_FOR_QUERY -> {
                    return true;
                }
                case PgWire.ERROR_RESPONSE -> {
                    return false;
                }
                default -> {
                    // ParameterStatus, notices: the client's business
                }
            }
        }
    }

    /** Records the first reason the session ended for and closes both sockets, so both pumps stop. */
    void terminate(String reason) {
        if (reason != null) {
            endReason.compareAndSet(null, reason);
        }
        UpstreamLogin.closeQuietly(clientRaw);
        Socket up = upstreamRaw;
        if (up != null) {
            UpstreamLogin.closeQuietly(up);
        }
    }

    /**
     * Ends the session for a revoked lease: the client is cut at once, then the upstream backend is
     * ended too ({@link UpstreamEnd}), so that nothing the client sent commits afterwards. Calling it
     * again retries the upstream's end.
     *
     * @throws IOException when the backend's end cannot be confirmed
     */
    void revoke(UpstreamEnd ends) throws IOException {
        endReason.compareAndSet(null, END_REVOKED);
        UpstreamLogin.closeQuietly(clientRaw);
        // Read after the reason is set: a login finishing now sees the reason and relays nothing.
        Socket up = upstreamRaw;
        PgWire.CancelKey key = cancelKey;
        PgUpstream target = upstream;
        if (up == null) {
            return;
        }
        if (key == null || target == null) {
            // Still in the greeting: the relay (which starts after the key is known) sent nothing yet.
            UpstreamLogin.closeQuietly(up);
            return;
        }
        ends.end(target, key, up);
    }

    private void refuse(ClientHandshake handshake, PgRefusal refusal) {
        server.refusals().refused(client, refusal.auditReason());
        LOG.debug("{} refused: {}", client, refusal.auditReason());
        if (handshake != null) {
            try {
                handshake.refuse(refusal);
            } catch (IOException ignored) {
                // the client is gone already; the refusal is audited all the same
            }
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
