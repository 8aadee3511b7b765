package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.proxy.ProxyServers;
import dev.ephemera.server.domain.tls.SelfSignedIdentity;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault's TLS endpoints (the PostgreSQL proxy, the API's TLS port) offer AEAD suites only, and
 * the proxy's certificate is published so agents verify it (issue 11, item 7).
 */
class TlsEndpointsTest {
    private static final int API_TLS_PORT = freePort();
    private static final String[] CBC_ONLY = {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256"};
    private static final String[] GCM_ONLY = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres(Map.of(
            "ephemera.proxy.postgres.port", 0,
            "micronaut.server.dual-protocol", true,
            "micronaut.server.ssl.enabled", true,
            "micronaut.server.ssl.build-self-signed", true,
            "micronaut.server.ssl.port", API_TLS_PORT,
            "micronaut.server.ssl.client-authentication", "want",
            "ephemera.mtls.enabled", true));

    @Test
    void thePostgresProxyRefusesAClientOfferingOnlyCbcSuites() throws Exception {
        assertThatThrownBy(() -> handshakeWithProxy(CBC_ONLY)).isInstanceOf(SSLException.class);
        assertThat(handshakeWithProxy(GCM_ONLY)).contains("GCM");
    }

    @Test
    void theApiTlsPortRefusesAClientOfferingOnlyCbcSuites() throws Exception {
        assertThatThrownBy(() -> handshake(new Socket("127.0.0.1", API_TLS_PORT), CBC_ONLY)).isInstanceOf(SSLException.class);
        assertThat(handshake(new Socket("127.0.0.1", API_TLS_PORT), GCM_ONLY)).contains("GCM");
    }

    @Test
    void anAgentVerifiesTheProxyWithThePublishedCertificate(@TempDir Path dir) throws Exception {
        TestVault vault = env.vault();
        String role = "verified_" + System.nanoTime();
        env.postgres().createLoginRole(role, "x-" + SecretGenerator.password(20));
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role.replace('_', '-'), "backend", "pg",
                "account", role, "value", "unused")).expect(201);
        vault.approved("PUT", "/v1/proxy/routes/verified-db", Map.of("protocol", "postgresql",
                "secret_id", role.replace('_', '-'), "upstream", "127.0.0.1:" + env.postgres().port(), "database", "postgres")).expect(200);
        String task = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "verify the proxy")).expect(201)
                .json().path("task_token").asText();
        JsonNode credential = vault.call("POST", "/v1/proxy/routes/verified-db/lease", task, Map.of()).expect(201).json().get("credential");

        TestVault.Response ca = vault.call("GET", "/v1/sys/proxy-ca", null, null).expect(200);
        assertThat(ca.body()).startsWith("-----BEGIN CERTIFICATE-----");
        Path rootCert = Files.writeString(dir.resolve("proxy-ca.pem"), ca.body());
        try (Connection session = verifyFull(credential, rootCert); ResultSet rows = session.createStatement().executeQuery("SELECT current_user")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo(role);
        }

        // verify-full really verifies: another certificate as root is refused
        Path stranger = Files.writeString(dir.resolve("stranger.pem"),
                SelfSignedIdentity.issue("localhost", Duration.ofDays(1)).certificatePem());
        assertThatThrownBy(() -> verifyFull(credential, stranger).close()).isInstanceOf(SQLException.class);
    }

    private static Connection verifyFull(JsonNode credential, Path rootCert) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", credential.get("username").asText());
        properties.setProperty("password", credential.get("token").asText());
        properties.setProperty("sslmode", "verify-full");
        properties.setProperty("sslrootcert", rootCert.toString());
        return DriverManager.getConnection("jdbc:postgresql://" + credential.get("address").asText() + "/"
                + credential.get("database").asText(), properties);
    }

    /** PostgreSQL's SSLRequest, then a TLS 1.2 handshake offering only {@code suites}; the suite agreed. */
    private static String handshakeWithProxy(String[] suites) throws Exception {
        String[] address = env.vault().server().bean(ProxyServers.class).postgresAddress().orElseThrow().split(":");
        Socket raw = new Socket(address[0], Integer.parseInt(address[1]));
        DataOutputStream out = new DataOutputStream(raw.getOutputStream());
        out.writeInt(8);
        out.writeInt(80877103); // SSLRequest
        out.flush();
        assertThat(new DataInputStream(raw.getInputStream()).readByte()).isEqualTo((byte) 'S');
        return handshake(raw, suites);
    }

    private static String handshake(Socket raw, String[] suites) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustingAnyServer()}, new SecureRandom());
        try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, raw.getInetAddress().getHostAddress(),
                raw.getPort(), true)) {
            tls.setSoTimeout(10_000);
            tls.setEnabledProtocols(new String[] {"TLSv1.2"});
            tls.setEnabledCipherSuites(suites);
            tls.startHandshake();
            return tls.getSession().getCipherSuite();
        }
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Only the offered suites are under test here; certificate checks are the verify-full test's. */
    private static final class TrustingAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
