package dev.ephemera.legacy.proxy.pg;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

/**
 * Ends the upstream backend of a revoked session, so that nothing the agent sent under the lease
 * commits once the revocation is confirmed. Closing the proxy's socket is not enough: a backend
 * running a statement notices its client is gone only when it next reads or writes, by which time
 * the statement (and the rest of its query string, one implicit transaction) has committed. So the
 * running statement is cancelled with the session's key (its transaction rolls back), and a login
 * of its own as the same user terminates the backend if it is still there and waits until it is
 * gone from {@code pg_stat_activity}.
 */
final class UpstreamEnd {
    /** How long a revoked backend may take to exit; beyond it the revocation is not confirmed. */
    static final int EXIT_MILLIS = 10_000;
    private static final long POLL_MILLIS = 20;
    private static final int MAX_QUERY_MESSAGE = 64 * 1024;
    private static final byte DATA_ROW = 'D';

    private static final Map<String, String> PARAMETERS = Map.of("application_name", "ephemera-proxy-revocation");

    private final UpstreamLogin login;
    private final PgProxyAuthenticator accounts;

    UpstreamEnd(UpstreamLogin login, PgProxyAuthenticator accounts) {
        this.login = login;
        this.accounts = accounts;
    }

    /**
     * Asks the upstream's postmaster to cancel the statement the key's backend is running, and
     * waits until it has taken the request (it closes the connection once the backend is signalled).
     */
    static void cancel(PgUpstream upstream, PgWire.CancelKey key) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(upstream.host(), upstream.port()), UpstreamLogin.TIMEOUT_MILLIS);
            socket.setSoTimeout(UpstreamLogin.TIMEOUT_MILLIS);
            PgWire.send(socket.getOutputStream(), PgWire.cancelRequest(key));
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the postmaster answers nothing; its close is the acknowledgement
            }
        }
    }

    /**
     * Cancels, then closes the relay's upstream socket, then makes sure the backend has exited.
     *
     * @throws IOException when the backend's end cannot be confirmed (the upstream is unreachable,
     *     refuses the login, or the backend outlives {@link #EXIT_MILLIS}); the message names no secret
     */
    void end(PgUpstream upstream, PgWire.CancelKey key, Socket relay) throws IOException {
        try {
            cancel(upstream, key);
        } catch (IOException e) {
            // The termination below does not depend on it: the cancel only stops the statement sooner.
        } finally {
            UpstreamLogin.closeQuietly(relay);
        }
        UpstreamLogin.Outcome outcome = login.login(upstream, PARAMETERS);
        if (outcome instanceof UpstreamLogin.Failed) {
            // The account's password may have been rotated since the session logged in with it.
            Optional<PgUpstream> now = accounts.refreshed(upstream).filter(u -> !u.password().equals(upstream.password()));
            if (now.isPresent()) {
                outcome = login.login(now.get(), PARAMETERS);
            }
        }
        switch (outcome) {
            case UpstreamLogin.Failed failed -> throw new IOException("cannot log in to end backend " + key.processId() + ": " + failed.reason());
            case UpstreamLogin.LoggedIn session -> {
                try {
                    terminate(session, key.processId());
                } finally {
                    UpstreamLogin.closeQuietly(session.raw());
                }
            }
        }
    }

    /** Terminates the backend until it no longer shows in pg_stat_activity. */
    private static void terminate(UpstreamLogin.LoggedIn session, int pid) throws IOException {
        session.raw().setSoTimeout(EXIT_MILLIS);
        InputStream in = session.in();
        awaitReady(in);
        long deadline = System.nanoTime() + EXIT_MILLIS * 1_000_000L;
        String query = "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE pid = " + pid;
        while (true) {
            PgWire.send(session.socket().getOutputStream(), PgWire.query(query));
            if (awaitReady(in) == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("backend " + pid + " still running " + EXIT_MILLIS + " ms after it was told to terminate");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while backend " + pid + " was terminating");
            }
        }
    }

    /** Reads up to ReadyForQuery; returns how many rows came, or throws on an ErrorResponse. */
    private static int awaitReady(InputStream in) throws IOException {
        int rows = 0;
        String failed = null;
        while (true) {
            PgWire.Message message = PgWire.read(in, MAX_QUERY_MESSAGE);
            switch (message.type()) {
                case DATA_ROW -> rows++;
                case PgWire.ERROR_RESPONSE -> failed = "upstream error (SQLSTATE " + UpstreamLogin.sqlState(message) + ")";
                case PgWire.READY_FOR_QUERY -> {
                    if (failed != null) {
                        throw new IOException(failed);
                    }
                    return rows;
                }
                default -> {
                    // RowDescription, CommandComplete, ParameterStatus, BackendKeyData, notices
                }
            }
        }
    }
}
