package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.support.TestCertificates;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPIFFE X.509-SVIDs over mutual TLS against the real server (self-signed server certificate,
 * client certificates asked for): a valid SVID opens a task with no bearer token; an SVID with two
 * URI SANs, a CA as leaf, a foreign CA, an unknown trust domain or an expired SVID is refused.
 * Chains are validated by PKIX through the intermediates the client sends, with the X509-SVID.md
 * rules on top (sections 3.1, 4.1, 4.3 and 5.2): each break of a rule is refused with its reason.
 */
class X509SvidTest {
    private static final String DOMAIN = "prod.example";
    private static final String SPIFFE_ID = "spiffe://prod.example/ns/agents/tls-bot";

    static final int tlsPort = freePort();
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres(Map.of(
            "micronaut.server.dual-protocol", true,
            "micronaut.server.ssl.enabled", true,
            "micronaut.server.ssl.build-self-signed", true,
            "micronaut.server.ssl.port", tlsPort,
            "micronaut.server.ssl.client-authentication", "want",
            "ephemera.mtls.enabled", true));
    static TestVault vault;
    static KeyPair caKeys;
    static X509Certificate ca;

    @BeforeAll
    static void start() throws Exception {
        caKeys = keys();
        ca = certificate("CN=prod.example CA", caKeys, "CN=prod.example CA", caKeys, true, List.of(), Duration.ofDays(1));
        vault.call("PUT", "/v1/issuers/prod-x509", vault.adminToken(), Map.of("kind", "spiffe-x509", "trust_domain", DOMAIN,
                "x509_bundle", pem(ca))).expect(200);
        vault.call("PUT", "/v1/agents/tls-bot", vault.adminToken(), Map.of("owner", "ivy@example.com", "purpose", "mTLS",
                "issuer", "prod-x509", "subject", SPIFFE_ID)).expect(200);
        vault.call("POST", "/v1/agents/tls-bot/activate", vault.adminToken(), null).expect(200);
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aValidSvidOpensATaskWithoutABearerToken() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", caKeys, false, List.of(SPIFFE_ID),
                Duration.ofHours(1));
        String reply = startTaskOverMtls(leafKeys, leaf);
        assertThat(reply).startsWith("HTTP/1.1 201").contains("\"agent_id\":\"tls-bot\"");
    }

    @Test
    void anSvidWithTwoUriSansIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", caKeys, false,
                List.of(SPIFFE_ID, "spiffe://prod.example/ns/agents/admin"), Duration.ofHours(1));
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("exactly one URI SAN");
    }

    @Test
    void aCaCertificateAsSvidIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", caKeys, true, List.of(SPIFFE_ID),
                Duration.ofHours(1));
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("not a CA");
    }

    @Test
    void anSvidFromAForeignCaIsRefused() throws Exception {
        KeyPair rogueKeys = keys();
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", rogueKeys, false, List.of(SPIFFE_ID),
                Duration.ofHours(1));
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("not signed by trust domain");
    }

    @Test
    void anSvidOfAnUnknownTrustDomainIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", caKeys, false,
                List.of("spiffe://staging.example/ns/agents/tls-bot"), Duration.ofHours(1));
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("unknown trust domain");
    }

    @Test
    void anExpiredSvidIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=tls-bot", leafKeys, "CN=prod.example CA", caKeys, false, List.of(SPIFFE_ID),
                Duration.ofSeconds(-60));
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("expired");
    }

    @Test
    void aBundleWithoutCaCertificatesIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = certificate("CN=x", leafKeys, "CN=prod.example CA", caKeys, false, List.of(SPIFFE_ID), Duration.ofHours(1));
        vault.call("PUT", "/v1/issuers/bad-x509", vault.adminToken(), Map.of("kind", "spiffe-x509", "trust_domain", "bad.example",
                "x509_bundle", pem(leaf))).expect(400);
        vault.call("PUT", "/v1/issuers/bad-x509", vault.adminToken(), Map.of("kind", "spiffe-x509",
                "trust_domain", "bad.example", "x509_bundle", "not pem")).expect(400);
    }

    @Test
    void aChainThroughAnIntermediateTheClientSendsIsAccepted() throws Exception {
        KeyPair intermediateKeys = keys();
        X509Certificate intermediate = TestCertificates.of("CN=prod.example issuing", intermediateKeys)
                .by("CN=prod.example CA", caKeys).ca().issue();
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example issuing", intermediateKeys)
                .uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf, intermediate)).startsWith("HTTP/1.1 201").contains("\"agent_id\":\"tls-bot\"");
        // A client may send the bundle's root too.
        assertThat(startTaskOverMtls(leafKeys, leaf, intermediate, ca)).startsWith("HTTP/1.1 201");
        // Without the intermediate, the leaf does not reach the bundle.
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("not signed by trust domain prod.example");
    }

    @Test
    void aChainNotRootedInTheBundleIsRefused() throws Exception {
        KeyPair rogueRootKeys = keys();
        X509Certificate rogueRoot = TestCertificates.of("CN=prod.example CA", rogueRootKeys).ca().issue();
        KeyPair intermediateKeys = keys();
        X509Certificate intermediate = TestCertificates.of("CN=prod.example issuing", intermediateKeys)
                .by("CN=prod.example CA", rogueRootKeys).ca().issue();
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example issuing", intermediateKeys)
                .uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf, intermediate, rogueRoot)).startsWith("HTTP/1.1 401")
                .contains("not signed by trust domain prod.example");
    }

    @Test
    void anIntermediateWithoutKeyCertSignIsRefused() throws Exception {
        KeyPair intermediateKeys = keys();
        X509Certificate intermediate = TestCertificates.of("CN=prod.example issuing", intermediateKeys)
                .by("CN=prod.example CA", caKeys).ca().keyUsage(null).issue();
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example issuing", intermediateKeys)
                .uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf, intermediate)).startsWith("HTTP/1.1 401")
                .contains("certificate 1 above the X.509-SVID").contains("keyCertSign");
    }

    @Test
    void aLeafThatIsACaIsRefusedEvenWithLeafKeyUsage() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys).ca(true)
                .uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("not a CA");
    }

    @Test
    void aLeafWithoutDigitalSignatureIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .keyUsage(KeyUsage.keyAgreement).uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("must include digitalSignature");
    }

    @Test
    void aLeafThatMaySignCertificatesIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("must not include keyCertSign");
    }

    @Test
    void aLeafWhoseExtendedKeyUsageLacksClientAuthIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate serverOnly = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, serverOnly)).startsWith("HTTP/1.1 401").contains("must include clientAuth");
        // X509-SVID.md 4.4: both purposes, as SPIFFE issuers set them, pass.
        X509Certificate both = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth).uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, both)).startsWith("HTTP/1.1 201");
    }

    @Test
    void aLeafWithAnUnknownCriticalExtensionIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .uris(SPIFFE_ID).unknownCriticalExtension().issue();
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("X.509-SVID carries an unknown critical extension");
    }

    @Test
    void aSpiffeIdOfAnotherConfiguredTrustDomainIsRefused() throws Exception {
        KeyPair otherKeys = keys();
        X509Certificate otherCa = TestCertificates.of("CN=other.example CA", otherKeys).ca().issue();
        vault.call("PUT", "/v1/issuers/other-x509", vault.adminToken(), Map.of("kind", "spiffe-x509", "trust_domain", "other.example",
                "x509_bundle", pem(otherCa))).expect(200);
        KeyPair leafKeys = keys();
        // Signed by prod.example's CA, claiming an identity of other.example.
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .uris("spiffe://other.example/ns/agents/tls-bot").issue();
        assertThat(startTaskOverMtls(leafKeys, leaf)).startsWith("HTTP/1.1 401").contains("not signed by trust domain other.example");
    }

    @Test
    void aUriSanThatIsNoWorkloadSpiffeIdIsRefused() throws Exception {
        KeyPair leafKeys = keys();
        X509Certificate dotted = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .uris("spiffe://prod.example/ns/agents/../tls-bot").issue();
        assertThat(startTaskOverMtls(leafKeys, dotted)).startsWith("HTTP/1.1 401").contains("exactly one URI SAN")
                .contains("no . or .. segments");
        X509Certificate domainOnly = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example CA", caKeys)
                .uris("spiffe://prod.example").issue();
        assertThat(startTaskOverMtls(leafKeys, domainOnly)).startsWith("HTTP/1.1 401").contains("names a workload");
    }

    @Test
    void anExpiredIntermediateIsRefused() throws Exception {
        KeyPair intermediateKeys = keys();
        X509Certificate intermediate = TestCertificates.of("CN=prod.example issuing", intermediateKeys)
                .by("CN=prod.example CA", caKeys).ca().validFor(Duration.ofSeconds(-60)).issue();
        KeyPair leafKeys = keys();
        X509Certificate leaf = TestCertificates.of("CN=tls-bot", leafKeys).by("CN=prod.example issuing", intermediateKeys)
                .uris(SPIFFE_ID).issue();
        assertThat(startTaskOverMtls(leafKeys, leaf, intermediate)).startsWith("HTTP/1.1 401")
                .contains("certificate 1 above the X.509-SVID is expired");
    }

    /** A raw HTTP/1.1 request over TLS with the given client certificate; the server's own certificate is self-signed. */
    private static String startTaskOverMtls(KeyPair keys, X509Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("svid", keys.getPrivate(), new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), new TrustManager[] {new TrustAnyServer()}, new SecureRandom());
        String body = "{\"objective\":\"mtls\"}";
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static KeyPair keys() throws Exception {
        return TestCertificates.keys();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean isCa,
                                               List<String> uris, Duration validFor) throws Exception {
        TestCertificates certificate = TestCertificates.of(subject, subjectKeys).by(issuer, issuerKeys)
                .uris(uris.toArray(String[]::new)).validFor(validFor);
        return (isCa ? certificate.ca() : certificate).issue();
    }

    private static String pem(X509Certificate certificate) throws IOException {
        return TestCertificates.pem(certificate);
    }

    /** Test only: the server's certificate is self-signed. */
    private static final class TrustAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException();
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
