package dev.ephemera.legacy.proxy.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ephemera.legacy.proxy.ProxyAudit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A reverse proxy that adds a leased credential to an agent's HTTP requests, so the agent uses the
 * credential without ever holding it. The agent presents its lease token as
 * {@code Proxy-Authorization: Bearer <token>}; the {@link HttpProxyAuthenticator} names the upstream
 * and the credential. Response bodies reach the agent chunked, with every form of the secret replaced
 * by {@code [redacted]}.
 */
public final class HttpProxyServer implements AutoCloseable {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** How long a client has to send a request, head and body, by default. */
    public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
    /** The JDK server's only bound on reading a request (seconds); read once per JVM, when its first server is made. */
    static final String JDK_MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final InetSocketAddress bind;
    private final SSLContext tls;
    private final HttpProxyAuthenticator authenticator;
    private final ProxyAudit audit;
    private final Duration requestTimeout;
    private final Duration requestReadTimeout;
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer server;
    private HttpClient upstreamClient;

    public HttpProxyServer(InetSocketAddress bind, HttpProxyAuthenticator authenticator, ProxyAudit audit) {
        this(bind, null, authenticator, audit, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param tls when not null, agents reach the proxy over TLS with this context
     * @param requestTimeout how long the upstream has to answer with its status and headers
     */
    public HttpProxyServer(InetSocketAddress bind, SSLContext tls, HttpProxyAuthenticator authenticator,
                           ProxyAudit audit, Duration requestTimeout) {
        this(bind, tls, authenticator, audit, requestTimeout, DEFAULT_REQUEST_READ_TIMEOUT);
    }

    /**
     * @param requestReadTimeout how long a client has to send a request, head and body (whole
     *     seconds); the connection is closed beyond it. The JDK server takes this bound once per
     *     JVM, from the first proxy started (unless {@value #JDK_MAX_REQUEST_TIME} was set already)
     */
    public HttpProxyServer(InetSocketAddress bind, SSLContext tls, HttpProxyAuthenticator authenticator,
                           ProxyAudit audit, Duration requestTimeout, Duration requestReadTimeout) {
        if (Objects.requireNonNull(requestReadTimeout, "requestReadTimeout").toSeconds() < 1) {
            throw new IllegalArgumentException("requestReadTimeout must be at least a second, not " + requestReadTimeout);
        }
        this.requestReadTimeout = requestReadTimeout;
        this.bind = Objects.requireNonNull(bind, "bind");
        this.tls = tls;
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        boundRequestReading(requestReadTimeout);
        upstreamClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                // A redirect would carry the credential to wherever the upstream points.
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(executor)
                .build();
        if (tls == null) {
            server = HttpServer.create(bind, 0);
        } else {
            HttpsServer https = HttpsServer.create(bind, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", new ProxyHandler(upstreamClient, authenticator, audit, requestTimeout, inFlight));
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Without a bound the JDK server waits for a request's head for ever: a client sending one byte
     * a second holds its connection and a thread as long as it likes. An operator's own setting wins.
     */
    private static synchronized void boundRequestReading(Duration limit) {
        if (System.getProperty(JDK_MAX_REQUEST_TIME) == null) {
            System.setProperty(JDK_MAX_REQUEST_TIME, Long.toString(limit.toSeconds()));
        }
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** Cuts off every exchange in flight under the lease; returns how many there were. */
    public int closeLease(String leaseId) {
        int closed = 0;
        for (InFlight flight : inFlight) {
            if (flight.leaseId().equals(leaseId)) {
                flight.abort();
                closed++;
            }
        }
        return closed;
    }

    @Override
    public synchronized void close() {
        inFlight.forEach(InFlight::abort);
        if (server != null) {
            server.stop(0);
            upstreamClient.shutdownNow();
        }
        executor.shutdownNow();
    }
}
