package dev.ephemera.server.domain.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * What the vault's TLS servers offer: TLS 1.3, and TLS 1.2 with ECDHE and an AEAD cipher (GCM or
 * ChaCha20-Poly1305) only. CBC suites (Lucky13-style padding oracles) and static-RSA key exchange
 * (no forward secrecy) are never negotiated, whatever a client offers.
 */
public final class AeadOnly {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private AeadOnly() {
    }

    /** The same context, but every engine and socket it makes offers only {@link #CIPHER_SUITES}. */
    public static SSLContext restrict(SSLContext context) {
        return new Restricted(context);
    }

    static SSLParameters restrict(SSLParameters parameters) {
        parameters.setCipherSuites(aead(parameters.getCipherSuites()));
        parameters.setProtocols(Arrays.stream(parameters.getProtocols()).filter(PROTOCOLS::contains).toArray(String[]::new));
        return parameters;
    }

    private static <T extends Socket> T restrict(T socket) {
        if (socket instanceof SSLSocket tls) {
            tls.setSSLParameters(restrict(tls.getSSLParameters()));
        }
        return socket;
    }

    private static final class Restricted extends SSLContext {
        Restricted(SSLContext base) {
            super(new Spi(base), base.getProvider(), base.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext base;

        Spi(SSLContext base) {
            this.base = base;
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random) throws KeyManagementException {
            base.init(keys, trust, random);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Sockets(base.getSocketFactory());
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new ServerSockets(base.getServerSocketFactory());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine engine = base.createSSLEngine();
            engine.setSSLParameters(restrict(engine.getSSLParameters()));
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine engine = base.createSSLEngine(host, port);
            engine.setSSLParameters(restrict(engine.getSSLParameters()));
            return engine;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return base.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return base.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return restrict(base.getDefaultSSLParameters());
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return restrict(base.getSupportedSSLParameters());
        }
    }

    private static String[] aead(String[] suites) {
        return Arrays.stream(suites).filter(CIPHER_SUITES::contains).toArray(String[]::new);
    }

    private static final class Sockets extends SSLSocketFactory {
        private final SSLSocketFactory base;

        Sockets(SSLSocketFactory base) {
            this.base = base;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return aead(base.getDefaultCipherSuites());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return restrict(base.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
            return restrict(base.createSocket(s, consumed, autoClose));
        }

        @Override
        public Socket createSocket() throws IOException {
            return restrict(base.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return restrict(base.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return restrict(base.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return restrict(base.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return restrict(base.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return aead(base.getSupportedCipherSuites());
        }
    }

    private static final class ServerSockets extends SSLServerSocketFactory {
        private final SSLServerSocketFactory base;

        ServerSockets(SSLServerSocketFactory base) {
            this.base = base;
        }

        private static ServerSocket restrict(ServerSocket socket) {
            if (socket instanceof SSLServerSocket tls) {
                tls.setSSLParameters(AeadOnly.restrict(tls.getSSLParameters()));
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return aead(base.getDefaultCipherSuites());
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return aead(base.getSupportedCipherSuites());
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return restrict(base.createServerSocket());
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return restrict(base.createServerSocket(port));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return restrict(base.createServerSocket(port, backlog));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            return restrict(base.createServerSocket(port, backlog, address));
        }
    }
}
