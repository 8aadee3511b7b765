package dev.ephemera.legacy.proxy.pg;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Logs in to the upstream server as the lease's escrowed user. The password leaves the proxy only
 * inside SCRAM-SHA-256: an upstream that asks for it in clear text or as MD5 is refused.
 */
final class UpstreamLogin {
    static final int TIMEOUT_MILLIS = 10_000;
    static final int BUFFER = 64 * 1024;
    private static final int MAX_AUTH_MESSAGE = 64 * 1024;

    /** How a login ended. */
    sealed interface Outcome {
    }

    /**
     * Logged in, positioned after AuthenticationOk: the TCP socket, the socket to talk over (its
     * TLS layer, or the same socket) and the buffered input the login read through.
     */
    record LoggedIn(Socket raw, Socket socket, InputStream in) implements Outcome {
    }

    /** Not logged in; the reason is for the audit, the client only learns that the login failed. */
    record Failed(boolean unreachable, String reason) implements Outcome {
    }

    private final SSLContext upstreamTls;
    private final SecureRandom random;

    UpstreamLogin(SSLContext upstreamTls, SecureRandom random) {
        this.upstreamTls = upstreamTls;
        this.random = random;
    }

    Outcome login(PgUpstream upstream, Map<String, String> clientParameters) {
        Socket raw;
        try {
            raw = SocketChannel.open().socket(); // a blocking read(2) per wait, see PgProxyServer#start
        } catch (IOException e) {
            return new Failed(true, "upstream unreachable: " + e.getClass().getSimpleName());
        }
        try {
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(upstream.host(), upstream.port()), TIMEOUT_MILLIS);
            raw.setSoTimeout(TIMEOUT_MILLIS);
        } catch (IOException e) {
            closeQuietly(raw);
            return new Failed(true, "upstream unreachable: " + e.getClass().getSimpleName());
        }
        Socket socket = raw;
        if (upstream.tls()) {
            try {
                socket = startTls(raw, upstream.host());
            } catch (IOException e) {
                // An untrusted certificate or a server without TLS: the upstream is not the one configured.
                closeQuietly(raw);
                return new Failed(true, "upstream TLS: " + e.getMessage());
            }
        }
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
            PgWire.send(out, PgWire.startupMessage(startupParameters(upstream, clientParameters)));
            String failure = authenticate(upstream, in, out);
            if (failure != null) {
                closeQuietly(raw);
                return new Failed(false, failure);
            }
            raw.setSoTimeout(0);
            return new LoggedIn(raw, socket, in);
        } catch (IOException | ScramSha256Client.ScramException e) {
            closeQuietly(raw);
            return new Failed(false, "upstream login: " + e.getMessage());
        }
    }

    /** The client's session settings pass through; who it is and where it goes come from the lease. */
    static Map<String, String> startupParameters(PgUpstream upstream, Map<String, String> clientParameters) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", upstream.user());
        parameters.put("database", upstream.database());
        clientParameters.forEach((name, value) -> {
            if (!name.equals("user") && !name.equals("database") && !name.startsWith("_pq_.")) {
                parameters.put(name, value);
            }
        });
        return parameters;
    }

    /** Runs the exchange up to AuthenticationOk; returns why it failed, or null once logged in. */
    private String authenticate(PgUpstream upstream, InputStream in, OutputStream out)
            throws IOException, ScramSha256Client.ScramException {
        while (true) {
            PgWire.Message message = PgWire.read(in, MAX_AUTH_MESSAGE);
            switch (message.type()) {
                case PgWire.AUTHENTICATION -> {
                    PgWire.Body body = message.reader();
                    int code = body.int32();
                    switch (code) {
                        case PgWire.AUTH_OK -> {
                            return null;
                        }
                        case PgWire.AUTH_SASL -> {
                            String refusal = scram(upstream, body, in, out);
                            if (refusal != null) {
                                return refusal;
                            }
                        }
                        case PgWire.AUTH_CLEARTEXT -> {
                            return "upstream asked for a cleartext password; only SCRAM-SHA-256 is used";
                        }
                        case PgWire.AUTH_MD5 -> {
                            return "upstream asked for MD5; only SCRAM-SHA-256 is used";
                        }
                        default -> {
                            return "upstream asked for authentication method " + code + "; only SCRAM-SHA-256 is used";
                        }
                    }
                }
                case PgWire.ERROR_RESPONSE -> {
                    return "upstream refused the login (SQLSTATE " + sqlState(message) + ")";
                }
                case PgWire.NOTICE_RESPONSE, PgWire.NEGOTIATE_PROTOCOL_VERSION -> {
                    // nothing to act on before AuthenticationOk: the proxy asked for plain 3.0
                }
                default -> {
                    return "unexpected message '" + (char) message.type() + "' during upstream login";
                }
            }
        }
    }

    private String scram(PgUpstream upstream, PgWire.Body mechanisms, InputStream in, OutputStream out)
            throws IOException, ScramSha256Client.ScramException {
        List<String> offered = new ArrayList<>();
        for (String mechanism = mechanisms.cstring(); !mechanism.isEmpty(); mechanism = mechanisms.cstring()) {
            offered.add(mechanism);
        }
        if (!offered.contains(ScramSha256Client.MECHANISM)) {
            return "upstream offered SASL " + offered + " without " + ScramSha256Client.MECHANISM;
        }
        ScramSha256Client scram = ScramSha256Client.forPostgres(upstream.password(), random);
        PgWire.send(out, PgWire.saslInitialResponse(ScramSha256Client.MECHANISM, scram.clientFirstMessage()));
        byte[] serverFirst = expectSasl(in, PgWire.AUTH_SASL_CONTINUE);
        if (serverFirst == null) {
            return "upstream refused the SCRAM exchange";
        }
        PgWire.send(out, PgWire.saslResponse(scram.clientFinalMessage(serverFirst)));
        byte[] serverFinal = expectSasl(in, PgWire.AUTH_SASL_FINAL);
        if (serverFinal == null) {
            return "upstream refused the SCRAM proof";
        }
        scram.verifyServerFinal(serverFinal);
        return null;
    }

    /** The SASL data of the expected step, or null if the server answered with an error instead. */
    private static byte[] expectSasl(InputStream in, int code) throws IOException {
        PgWire.Message message = PgWire.read(in, MAX_AUTH_MESSAGE);
        if (message.type() == PgWire.ERROR_RESPONSE) {
            return null;
        }
        PgWire.Body body = message.reader();
        if (message.type() != PgWire.AUTHENTICATION || body.int32() != code) {
            throw new PgProtocolException("unexpected message during the SCRAM exchange");
        }
        return body.rest();
    }

    /** Only the SQLSTATE of an upstream error is kept: its text may quote the login's details. */
    static String sqlState(PgWire.Message error) throws PgProtocolException {
        PgWire.Body body = error.reader();
        for (int field = body.byte1(); field != 0; field = body.byte1()) {
            String value = body.cstring();
            if (field == 'C') {
                return value;
            }
        }
        return "unknown";
    }

    private Socket startTls(Socket raw, String host) throws IOException {
        OutputStream out = raw.getOutputStream();
        PgWire.send(out, PgWire.sslRequest());
        int answer = raw.getInputStream().read();
        if (answer != 'S') {
            throw new PgProtocolException("upstream does not offer TLS");
        }
        SSLSocket tls = (SSLSocket) upstreamTls.getSocketFactory().createSocket(raw, host, raw.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed or reset: nothing left to release
        }
    }
}
