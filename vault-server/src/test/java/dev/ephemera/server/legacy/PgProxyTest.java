package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.RevocationIncompleteException;
import dev.ephemera.legacy.proxy.pg.PgProxyAuthenticator;
import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import dev.ephemera.legacy.proxy.pg.PgUpstream;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.tls.SelfSignedIdentity;
import dev.ephemera.server.support.TcpProxy;
import dev.ephemera.server.support.TestPostgres;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL credential-injecting proxy against a real PostgreSQL whose TCP logins require
 * SCRAM-SHA-256 (a wrong escrowed password really fails), with the JDBC driver as the agent. The
 * upstream is reached through a counting TCP relay, to see what reaches it.
 */
class PgProxyTest {
    private static final String ROLE = "proxy_app";
    private static final String ESCROWED = SecretGenerator.token("esc_");
    private static final String WRONG_ESCROWED = SecretGenerator.token("esc_");
    private static final String TOKEN_A = SecretGenerator.token("lt_");
    private static final String TOKEN_B = SecretGenerator.token("lt_");
    private static final String TOKEN_WRONG_PASSWORD = SecretGenerator.token("lt_");
    private static final String ROTATED_ROLE = "proxy_rotated";
    private static final String TOKEN_ROTATED = SecretGenerator.token("lt_");
    private static final String ROTATED_AWAY = SecretGenerator.token("esc_");
    private static final String TOKEN_RACED = SecretGenerator.token("lt_");
    /** Set by the authenticator once it has let TOKEN_RACED in: the lease is revoked from then on. */
    private static final AtomicBoolean racedLeaseRevoked = new AtomicBoolean();
    private static final List<String> SECRETS = List.of(ESCROWED, WRONG_ESCROWED, TOKEN_A, TOKEN_B, TOKEN_WRONG_PASSWORD, TOKEN_ROTATED, TOKEN_RACED,
            ROTATED_AWAY);

    static TestPostgres postgres;
    static TcpProxy upstream;
    static PgProxyServer proxy;
    static SelfSignedIdentity tls;
    static final RecordingAudit audit = new RecordingAudit();
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = TestPostgres.start();
        postgres.createLoginRole(ROLE, ESCROWED);
        postgres.createLoginRole(ROTATED_ROLE, ESCROWED);
        upstream = new TcpProxy(postgres.port());
        tls = SelfSignedIdentity.issue("localhost", Duration.ofDays(1));
        Logger proxyLogs = (Logger) LoggerFactory.getLogger("dev.ephemera.legacy.proxy");
        proxyLogs.setLevel(Level.DEBUG);
        logs.start();
        proxyLogs.addAppender(logs);
        proxy = new PgProxyServer(tls.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), leases(), audit);
        proxy.start();
    }

    private static PgProxyAuthenticator leases() {
        Map<String, PgUpstream> leases = Map.of(
                TOKEN_A, target(ESCROWED, "lease-a"),
                TOKEN_B, target(ESCROWED, "lease-b"),
                TOKEN_WRONG_PASSWORD, target(WRONG_ESCROWED, "lease-c"),
                TOKEN_ROTATED, target(ROTATED_ROLE, ESCROWED, "lease-d"));
        return (user, database, token, client) -> {
            if (token.equals(TOKEN_RACED)) {
                return revokedRightAfterThisCheck();
            }
            PgUpstream granted = leases.get(token);
            if (granted == null) {
                throw new ProxyRefusedException("no live lease for this token");
            }
            return granted;
        };
    }

    /**
     * The token checks out, and the lease is revoked the moment the check returns, before the
     * session is registered under it: the revocation's close finds no session to close.
     */
    private static PgUpstream revokedRightAfterThisCheck() throws ProxyRefusedException {
        if (racedLeaseRevoked.getAndSet(true)) {
            throw new ProxyRefusedException("no live lease for this token");
        }
        try {
            assertThat(proxy.closeLease("lease-raced")).isZero();
        } catch (RevocationIncompleteException e) {
            throw new AssertionError(e);
        }
        return target(ESCROWED, "lease-raced");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
        postgres.close();
        ((Logger) LoggerFactory.getLogger("dev.ephemera.legacy.proxy")).detachAppender(logs);
    }

    @AfterEach
    void noSecretInTheLogs() {
        List<ILoggingEvent> events;
        synchronized (logs) { // AppenderBase appends under the appender's lock, from the proxy's threads
            events = List.copyOf(logs.list);
        }
        for (ILoggingEvent event : events) {
            String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
            SECRETS.forEach(secret -> assertThat(line).doesNotContain(secret));
        }
    }

    @Test
    void theJdbcDriverQueriesThroughTheProxyAsTheEscrowedRole() throws Exception {
        try (Connection connection = connect(TOKEN_A, "require"); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT current_user, current_database()")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo(ROLE);
                assertThat(rows.getString(2)).isEqualTo("postgres");
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*), sum(g) FROM generate_series(1, 50000) g")) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(50_000);
                assertThat(rows.getLong(2)).isEqualTo(1_250_025_000L);
            }
            try (ResultSet rows = statement.executeQuery("SHOW application_name")) {
                rows.next();
                assertThat(rows.getString(1)).as("client startup parameters pass through").isEqualTo("pg-proxy-test");
            }
        }
    }

    @Test
    void aClientStartingTlsDirectlyWithAlpnPostgresqlIsServed() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> firstByte = CompletableFuture.supplyAsync(() -> {
                try (Socket accepted = probe.accept()) {
                    return accepted.getInputStream().read();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            catchSql(() -> connect(probe.getLocalPort(), TOKEN_A, "require&sslNegotiation=direct"));
            assertThat(firstByte.get()).as("the driver opens with a TLS handshake record, no SSLRequest").isEqualTo(0x16);
        }
        try (Connection connection = connect(TOKEN_A, "require&sslNegotiation=direct"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_user")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo(ROLE);
        }
    }

    @Test
    void aDirectTlsHandshakeMustNegotiateAlpnPostgresql() throws Exception {
        try (SSLSocket withoutAlpn = directTlsClient()) {
            withoutAlpn.startHandshake();
            assertThat(withoutAlpn.getApplicationProtocol()).isEmpty();
            assertThat(errorCode(withoutAlpn.getInputStream())).isEqualTo("08P01");
        }
        assertThat(audit.refusals()).anyMatch(reason -> reason.equals("direct TLS without ALPN postgresql"));
        try (SSLSocket otherProtocol = directTlsClient()) {
            SSLParameters parameters = otherProtocol.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            otherProtocol.setSSLParameters(parameters);
            assertThatThrownBy(otherProtocol::startHandshake).isInstanceOf(SSLException.class);
        }
    }

    @Test
    void beyondItsSessionLimitTheProxyRefusesWith53300UntilASessionEnds() throws Exception {
        try (PgProxyServer small = new PgProxyServer(tls.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), leases(),
                audit, SSLContext.getDefault(), 1)) {
            small.start();
            try (Connection first = connect(small.port(), TOKEN_A, "require")) {
                assertThat(selectOne(first)).isEqualTo(1);

                SQLException refused = catchSql(() -> connect(small.port(), TOKEN_B, "require"));

                assertThat(refused.getSQLState()).isEqualTo("53300");
                assertThat(refused.getMessage()).contains("too many sessions through this proxy");
                assertThat(audit.refusals()).anyMatch(reason -> reason.equals("session limit reached (1)"));
            }
            Eventually.within(Duration.ofSeconds(5), "the freed place takes a new session", () -> {
                try (Connection second = connect(small.port(), TOKEN_B, "require")) {
                    return selectOne(second) == 1;
                } catch (SQLException stillFull) {
                    return false;
                }
            });
        }
    }

    @Test
    void oneSourceHoldingHandshakesOpenCannotLockOutAnotherAndItsRefusalsAreLoggedInSummary() throws Exception {
        RecordingAudit refusals = new RecordingAudit();
        try (PgProxyServer guarded = new PgProxyServer(tls.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                leases(), refusals)) {
            guarded.start();
            List<Socket> flood = new ArrayList<>();
            try {
                // More idle connections than there are handshake places, all from one address (127.0.0.2).
                for (int i = 0; i < 300; i++) {
                    flood.add(connectFrom("127.0.0.2", guarded.port()));
                }
                Socket last = flood.getLast();
                last.setSoTimeout(5_000);
                assertThat(last.getInputStream().read()).as("the flood's last connection is closed at accept").isEqualTo(-1);

                try (Connection connection = connect(guarded.port(), TOKEN_A, "require")) {
                    assertThat(selectOne(connection)).as("a login from another address gets in during the flood").isEqualTo(1);
                }
                assertThat(refusals.refusals().stream().filter(reason -> reason.startsWith("too many connections in their handshake")))
                        .as("the refusals at accept are summarised, not logged one by one").hasSizeBetween(1, 3);
            } finally {
                for (Socket socket : flood) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithinTheHandshakeTimeout() throws Exception {
        try (Socket idle = connectFrom("127.0.0.3", proxy.port())) {
            idle.setSoTimeout(8_000);
            long start = System.nanoTime();
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed by the default 5 s handshake timeout")
                    .isLessThan(Duration.ofSeconds(7));
        }
    }

    /** A loopback connection from another local address (any 127.x.y.z answers on Linux): another source. */
    private static Socket connectFrom(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return socket;
    }

    @Test
    void aWrongLeaseTokenIsRefusedWith28P01AndNothingReachesTheUpstream() {
        int before = upstream.accepted();

        SQLException refused = catchSql(() -> connect("lt_not-a-lease", "require"));

        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(refused.getMessage()).contains("no live lease for this token");
        assertNoSecret(refused);
        assertThat(upstream.accepted()).isEqualTo(before);
        assertThat(audit.refusals()).anyMatch(reason -> reason.contains("lease token refused"));
    }

    @Test
    void aClientWithoutTlsIsRefused() {
        int before = upstream.accepted();

        SQLException refused = catchSql(() -> connect(TOKEN_A, "disable"));

        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getMessage()).contains("TLS is required");
        assertThat(upstream.accepted()).isEqualTo(before);
    }

    @Test
    void aWrongEscrowedPasswordFailsTheScramLoginUpstreamWithACleanError() {
        SQLException refused = catchSql(() -> connect(TOKEN_WRONG_PASSWORD, "require"));

        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getMessage()).contains("upstream login failed").doesNotContain(ROLE);
        assertNoSecret(refused);
        assertThat(audit.refusals()).anyMatch(reason -> reason.contains("SCRAM"));
    }

    @Test
    void closingALeaseEndsItsSessionsAndLeavesOtherLeasesAlone() throws Exception {
        try (Connection a = connect(TOKEN_A, "require"); Connection b = connect(TOKEN_B, "require")) {
            assertThat(selectOne(a)).isEqualTo(1);
            assertThat(selectOne(b)).isEqualTo(1);

            assertThat(proxy.closeLease("lease-a")).isEqualTo(1);

            SQLException cut = catchSql(() -> selectOne(a));
            assertNoSecret(cut);
            assertThat(selectOne(b)).isEqualTo(1);
            Eventually.within(Duration.ofSeconds(5), "the revoked session is audited",
                    () -> audit.closed.stream().anyMatch(c -> c.lease().leaseId().equals("lease-a") && c.reason().equals("lease revoked")));
            assertThat(proxy.closeLease("lease-a")).isZero();
        }
    }

    @Test
    void closingALeaseEndsTheUpstreamBackendAndIsNotConfirmedWhileThatCannotBeChecked() throws Exception {
        try (Connection session = connect(TOKEN_ROTATED, "require"); Statement statement = session.createStatement()) {
            int backend;
            try (ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                backend = rows.getInt(1);
            }
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> catchSql(() -> statement.execute("SELECT pg_sleep(30)")));
            Eventually.within(Duration.ofSeconds(5), "the sleep runs upstream", () -> backendsRunning(backend, "SELECT pg_sleep(30)") == 1);
            // The account's password changed since the session logged in: the proxy cannot log in to check.
            postgres.execute("ALTER ROLE " + ROTATED_ROLE + " PASSWORD '" + ROTATED_AWAY + "'");
            try {
                assertThatThrownBy(() -> proxy.closeLease("lease-d")).isInstanceOf(RevocationIncompleteException.class)
                        .hasMessageContaining("not confirmed ended upstream")
                        .satisfies(PgProxyTest::assertNoSecret);
                assertNoSecret(sleeping.get(10, TimeUnit.SECONDS));
            } finally {
                postgres.execute("ALTER ROLE " + ROTATED_ROLE + " PASSWORD '" + ESCROWED + "'");
            }

            assertThat(proxy.closeLease("lease-d")).as("the retry confirms; the session itself was cut the first time").isZero();
            assertThat(backendsRunning(backend, "")).as("the backend is gone once the retry returns").isZero();
        }
    }

    private static long backendsRunning(int pid, String queryPrefix) throws SQLException {
        try (Connection admin = postgres.admin(); Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
                     + " AND query LIKE '" + queryPrefix + "%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void aLeaseRevokedBetweenItsTokenCheckAndItsSessionsRegistrationOpensNoSession() {
        int before = upstream.accepted();

        SQLException refused = catchSql(() -> connect(TOKEN_RACED, "require"));

        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(upstream.accepted()).as("nothing reached the upstream").isEqualTo(before);
    }

    @Test
    void anUpstreamThatEndsTheSessionEndsItForTheClientToo() throws Exception {
        try (Connection connection = connect(TOKEN_B, "require")) {
            int backend;
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                backend = rows.getInt(1);
            }

            postgres.execute("SELECT pg_terminate_backend(" + backend + ")");

            assertNoSecret(catchSql(() -> selectOne(connection)));
            Eventually.within(Duration.ofSeconds(5), "the session is audited as closed by the upstream",
                    () -> audit.closed.stream().anyMatch(c -> c.lease().leaseId().equals("lease-b") && c.reason().equals("upstream closed")));
        }
    }

    @Test
    void theAuditSeesEachSessionOpenAndCloseWithItsByteCounts() throws Exception {
        String id;
        try (Connection connection = connect(TOKEN_B, "require")) {
            assertThat(selectOne(connection)).isEqualTo(1);
            id = audit.opened.stream().filter(o -> o.lease().leaseId().equals("lease-b")).reduce((first, last) -> last).orElseThrow().id();
            assertThat(id).startsWith("pgc_");
        }
        Eventually.within(Duration.ofSeconds(5), "the session is audited as closed", () -> audit.closed.stream().anyMatch(c -> c.id().equals(id)));
        Closed closed = audit.closed.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
        assertThat(closed.reason()).isEqualTo("client closed");
        assertThat(closed.bytesFromClient()).isPositive();
        assertThat(closed.bytesToClient()).isGreaterThan(closed.bytesFromClient());
        assertThat(closed.lease().taskId()).isEqualTo("task-lease-b");
    }

    @Test
    void aCancelRequestReachesTheUpstreamOfItsSession() throws Exception {
        try (Connection connection = connect(TOKEN_A, "require"); Statement statement = connection.createStatement()) {
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> catchSql(() -> statement.execute("SELECT pg_sleep(30)")));
            Thread.sleep(300);
            statement.cancel();

            assertThat(sleeping.get().getSQLState()).isEqualTo("57014");
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }

    @Test
    void anOversizedStartupPacketIsRefusedBeforeAndInsideTls() throws Exception {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            plain.setSoTimeout(5_000);
            new DataOutputStream(plain.getOutputStream()).writeInt(1_000_000);
            assertThat(errorCode(plain.getInputStream())).isEqualTo("08P01");
        }
        try (SSLSocket secured = tlsClient()) {
            DataOutputStream out = new DataOutputStream(secured.getOutputStream());
            out.writeInt(20_000);
            out.writeInt(196608);
            out.flush();
            assertThat(errorCode(secured.getInputStream())).isEqualTo("08P01");
        }
    }

    @Test
    void anOversizedPasswordMessageIsRefused() throws Exception {
        try (SSLSocket secured = tlsClient()) {
            DataOutputStream out = new DataOutputStream(secured.getOutputStream());
            byte[] parameters = "user\0agent\0database\0postgres\0\0".getBytes(StandardCharsets.UTF_8);
            out.writeInt(8 + parameters.length);
            out.writeInt(196608);
            out.write(parameters);
            DataInputStream in = new DataInputStream(secured.getInputStream());
            assertThat(in.readByte()).isEqualTo((byte) 'R');
            assertThat(in.readInt()).isEqualTo(8);
            assertThat(in.readInt()).as("AuthenticationCleartextPassword").isEqualTo(3);
            out.writeByte('p');
            out.writeInt(5_000);
            out.flush();
            assertThat(errorCode(in)).isEqualTo("08P01");
        }
    }

    private static PgUpstream target(String password, String leaseId) {
        return target(ROLE, password, leaseId);
    }

    private static PgUpstream target(String role, String password, String leaseId) {
        ProxyLease lease = new ProxyLease("acme", "task-" + leaseId, "agent-7", leaseId, "pg/app");
        return new PgUpstream("127.0.0.1", upstream.port(), "postgres", role, password, lease);
    }

    private static Connection connect(String token, String sslMode) throws SQLException {
        return connect(proxy.port(), token, sslMode);
    }

    private static Connection connect(int port, String token, String sslMode) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/orders?sslmode=" + sslMode
                + "&ApplicationName=pg-proxy-test&connectTimeout=10", "agent-7", token);
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Opens TLS the way libpq does (SSLRequest, then the handshake), trusting the proxy's certificate. */
    private static SSLSocket tlsClient() throws Exception {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        raw.setSoTimeout(5_000);
        DataOutputStream out = new DataOutputStream(raw.getOutputStream());
        out.writeInt(8);
        out.writeInt(80877103);
        assertThat(raw.getInputStream().read()).isEqualTo('S');
        SSLSocket secured = (SSLSocket) tls.clientContext().getSocketFactory().createSocket(raw, "localhost", proxy.port(), true);
        secured.startHandshake();
        return secured;
    }

    /** A TLS client that starts its handshake at once, as PostgreSQL 17's sslnegotiation=direct does. */
    private static SSLSocket directTlsClient() throws Exception {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        raw.setSoTimeout(5_000);
        return (SSLSocket) tls.clientContext().getSocketFactory().createSocket(raw, "localhost", proxy.port(), true);
    }

    /** Reads an ErrorResponse and returns its SQLSTATE; the proxy must then close the connection. */
    private static String errorCode(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        assertThat(in.readByte()).isEqualTo((byte) 'E');
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        assertThat(in.read()).as("the connection closes after the refusal").isEqualTo(-1);
        String fields = new String(body, StandardCharsets.UTF_8);
        int code = fields.indexOf("\0C");
        return fields.substring(code + 2, fields.indexOf('\0', code + 2));
    }

    private static void assertNoSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + t;
            SECRETS.forEach(secret -> assertThat(text).doesNotContain(secret));
        }
    }

    private static SQLException catchSql(Callable<?> action) {
        try {
            action.call();
        } catch (SQLException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected an SQLException", e);
        }
        throw new AssertionError("expected an SQLException");
    }

    record Opened(String id, ProxyLease lease) {
    }

    record Closed(String id, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason) {
    }

    static final class RecordingAudit implements ProxyAudit {
        final List<Opened> opened = new CopyOnWriteArrayList<>();
        final List<Closed> closed = new CopyOnWriteArrayList<>();
        private final List<String> refused = new CopyOnWriteArrayList<>();

        @Override
        public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
            assertThat(protocol).isEqualTo("postgresql");
            opened.add(new Opened(connectionId, lease));
        }

        @Override
        public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason) {
            closed.add(new Closed(connectionId, lease, bytesFromClient, bytesToClient, reason));
        }

        @Override
        public void refused(String protocol, String client, String reason) {
            refused.add(reason);
        }

        List<String> refusals() {
            SECRETS.forEach(secret -> assertThat(refused).noneMatch(reason -> reason.contains(secret)));
            return refused;
        }
    }
}
