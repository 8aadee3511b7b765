package dev.ephemera.legacy.proxy.pg;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The client's side of a connection up to its password: TLS negotiation (required), the startup
 * packet and the lease token it sends as its password. Everything a client sends here is bounded,
 * since it has not proven anything yet. TLS starts either after an SSLRequest or, for clients of
 * PostgreSQL 17 and later with {@code sslnegotiation=direct}, at once; both ways the only ALPN
 * protocol accepted is {@code postgresql}, and a direct handshake must name it, as PostgreSQL
 * requires, so that a TLS connection meant for another service cannot be replayed here.
 */
final class ClientHandshake {
    static final int MAX_PASSWORD_MESSAGE = 4096;
    static final String ALPN = "postgresql";
    private static final int LINGER_MILLIS = 500;
    private static final int LINGER_BYTES = 64 * 1024;
    /** The first byte of a TLS handshake record; an SSLRequest starts with its length, 0x00. */
    private static final int TLS_HANDSHAKE = 0x16;
    /** SSLRequest, GSSENCRequest (refused) and then the StartupMessage: a fourth packet is abuse. */
    private static final int MAX_STARTUP_PACKETS = 3;

    /** What the client came for. */
    sealed interface Outcome {
    }

    /** A client that presented a lease token inside TLS. */
    record Admitted(StartupPacket.Startup startup, String user, String database, String leaseToken) implements Outcome {
        @Override
        public String toString() {
            return "Admitted[user=" + user + ", database=" + database + "]";
        }
    }

    /** A request to cancel the query running on another session. */
    record Cancel(PgWire.CancelKey key) implements Outcome {
    }

    /** A packet that gets no answer (a cancel key the proxy never issued). */
    record Ignored() implements Outcome {
    }

    private final SSLSocketFactory tls;
    private final Socket raw;
    private InputStream in;
    private OutputStream out;
    private SSLSocket secured;

    ClientHandshake(SSLSocketFactory tls, Socket raw) throws IOException {
        this.tls = tls;
        this.raw = raw;
        this.in = raw.getInputStream();
        this.out = raw.getOutputStream();
    }

    Outcome run() throws IOException, PgRefusal {
        PushbackInputStream first = new PushbackInputStream(in, 1);
        int lead = first.read();
        if (lead == TLS_HANDSHAKE) {
            startDirectTls();
        } else if (lead >= 0) {
            first.unread(lead);
            in = first;
        }
        for (int packet = 0; packet < MAX_STARTUP_PACKETS; packet++) {
            switch (StartupPacket.read(in)) {
                case StartupPacket.SslRequest ignored -> startTls();
                case StartupPacket.GssEncRequest ignored -> {
                    requirePlain("GSSENCRequest");
                    PgWire.send(out, new byte[] {'N'});
                }
                case StartupPacket.CancelRequest cancel -> {
                    return new Cancel(cancel.key());
                }
                case StartupPacket.ForeignCancelRequest ignored -> {
                    return new Ignored();
                }
                case StartupPacket.Startup startup -> {
                    return admit(startup);
                }
            }
        }
        throw new PgRefusal("08P01", "too many startup packets", "client sent more than " + MAX_STARTUP_PACKETS + " startup packets");
    }

    /**
     * Sends the refusal on whatever the client is talking over now (plain before TLS, TLS after),
     * then closes lingering: input the client sent beyond what was read (the rest of a refused
     * packet) would otherwise make the close a reset, which can destroy the refusal before the
     * client reads it. At most {@link #LINGER_BYTES} are discarded, for at most {@link #LINGER_MILLIS}.
     */
    void refuse(PgRefusal refusal) throws IOException {
        PgWire.send(out, refusal.errorResponse());
        try {
            if (secured != null) {
                secured.shutdownOutput();
            } else {
                raw.shutdownOutput();
            }
            raw.setSoTimeout(LINGER_MILLIS);
            InputStream rest = raw.getInputStream();
            byte[] sink = new byte[4096];
            for (int discarded = 0, n; discarded < LINGER_BYTES && (n = rest.read(sink)) >= 0; discarded += n) {
                // the client's leftovers, unread on purpose
            }
        } catch (IOException ignored) {
            // the client closed or reset first, or took too long: the refusal was sent all the same
        }
    }

    InputStream in() {
        return in;
    }

    /** The TLS socket's own stream, unbuffered: the relay writes whole chunks to it. */
    OutputStream tlsOut() throws IOException {
        return secured.getOutputStream();
    }

    private void startTls() throws IOException, PgRefusal {
        requirePlain("SSLRequest");
        PgWire.send(out, new byte[] {'S'});
        SSLSocket socket = (SSLSocket) tls.createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        socket.setUseClientMode(false);
        handshake(socket);
    }

    private void startDirectTls() throws IOException, PgRefusal {
        handshake((SSLSocket) tls.createSocket(raw, new ByteArrayInputStream(new byte[] {TLS_HANDSHAKE}), true));
        if (!ALPN.equals(secured.getApplicationProtocol())) {
            throw new PgRefusal("08P01", "a direct TLS connection must negotiate the ALPN protocol postgresql",
                    "direct TLS without ALPN postgresql");
        }
    }

    private void handshake(SSLSocket socket) throws IOException {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {ALPN});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        secured = socket;
        in = new BufferedInputStream(secured.getInputStream(), UpstreamLogin.BUFFER);
        out = secured.getOutputStream();
    }

    private void requirePlain(String request) throws PgRefusal {
        if (secured != null) {
            throw new PgRefusal("08P01", request + " inside TLS", request + " after TLS was established");
        }
    }

    private Admitted admit(StartupPacket.Startup startup) throws IOException, PgRefusal {
        if (secured == null) {
            throw new PgRefusal("28000", "TLS is required", "client did not use TLS");
        }
        String user = startup.parameters().get("user");
        if (user == null || user.isEmpty()) {
            throw new PgRefusal("28000", "no PostgreSQL user name specified in startup packet", "startup packet without user");
        }
        String database = startup.parameters().getOrDefault("database", user);
        List<String> options = startup.parameters().keySet().stream().filter(name -> name.startsWith("_pq_.")).toList();
        if (startup.minorVersion() > 0 || !options.isEmpty()) {
            out.write(PgWire.negotiateProtocolVersion(options));
        }
        PgWire.send(out, PgWire.authentication(PgWire.AUTH_CLEARTEXT));
        PgWire.Message password;
        try {
            password = PgWire.read(in, MAX_PASSWORD_MESSAGE);
        } catch (PgProtocolException e) {
            throw new PgRefusal("08P01", "invalid password packet", "password message: " + e.getMessage());
        }
        if (password.type() != PgWire.PASSWORD) {
            throw new PgRefusal("08P01", "expected a password packet", "message '" + (char) password.type() + "' instead of a password");
        }
        String token = password.reader().cstring();
        if (token.isEmpty()) {
            throw new PgRefusal("28P01", "a lease token is required as the password", "empty password");
        }
        return new Admitted(startup, user, database, token);
    }
}
