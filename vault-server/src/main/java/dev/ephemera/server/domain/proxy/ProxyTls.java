package dev.ephemera.server.domain.proxy;

import dev.ephemera.server.domain.tls.AeadOnly;
import dev.ephemera.server.domain.tls.SelfSignedIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The proxies' TLS identity: the operator's PKCS#12 key store when one is configured, else a
 * self-signed certificate made at start for localhost and 127.0.0.1. Either way the certificate
 * agents verify the proxy with (the self-signed one, or the top of the key store's chain) is
 * published ({@code GET /v1/sys/proxy-ca}), so clients use {@code sslmode=verify-full}. Only AEAD
 * cipher suites are offered.
 */
final class ProxyTls {
    private ProxyTls() {
    }

    /** The server context and the certificate a client trusts to verify it, in PEM. */
    record Identity(SSLContext context, String authorityPem) {}

    static Identity identity(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        if (keyStore == null) {
            SelfSignedIdentity self = SelfSignedIdentity.issue("localhost", Duration.ofDays(365));
            return new Identity(self.serverContext(), self.certificatePem());
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, new SecureRandom());
        return new Identity(AeadOnly.restrict(context), SelfSignedIdentity.pem(authority(store)));
    }

    /** The last certificate of the first key entry's chain: the root (or the leaf itself when self-signed). */
    private static X509Certificate authority(KeyStore store) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(store.aliases())) {
            java.security.cert.Certificate[] chain = store.getCertificateChain(alias);
            if (store.isKeyEntry(alias) && chain != null && chain.length > 0) {
                return (X509Certificate) chain[chain.length - 1];
            }
        }
        throw new GeneralSecurityException("the proxy key store holds no key with a certificate chain");
    }
}
