package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import dev.ephemera.server.support.Eventually;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The PostgreSQL credential-injecting proxy's protocol and admission, with the JDBC driver as the agent. */
class PgProxyTest extends PgProxyFixture {
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
}
