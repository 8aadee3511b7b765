package dev.ephemera.legacy.proxy.http;

import static dev.ephemera.legacy.proxy.http.ProxyFixture.API_KEY;
import static dev.ephemera.legacy.proxy.http.ProxyFixture.KEY_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpsProxyTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    void anAgentReachesTheProxyOverTlsAndTheUpstreamStillGetsTheCredential(@TempDir Path dir) throws Exception {
        KeyStore keys = selfSigned(dir.resolve("proxy.p12"));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("proxy", keys.getCertificate("proxy"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext agentTls = SSLContext.getInstance("TLS");
        agentTls.init(null, trustManagers.getTrustManagers(), null);

        try (ProxyFixture fixture = new ProxyFixture(HttpProxyServer.DEFAULT_REQUEST_TIMEOUT, serverTls);
             SSLSocket socket = (SSLSocket) agentTls.getSocketFactory().createSocket("127.0.0.1", fixture.proxy.port())) {
            socket.setSoTimeout(5_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.getOutputStream().write(RawAgent.request(
                    "GET /echo HTTP/1.1\nHost: p\nProxy-Authorization: Bearer " + KEY_TOKEN));
            RawAgent.Response response = RawAgent.parse(socket.getInputStream().readAllBytes());

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).contains("X-api-key: [redacted]").doesNotContain(API_KEY);
            assertThat(fixture.upstream.received.take().header("X-API-Key")).containsExactly(API_KEY);
        }
    }

    private static KeyStore selfSigned(Path store) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "proxy", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1", "-validity", "1")
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
        return KeyStore.getInstance(store.toFile(), PASSWORD);
    }
}
