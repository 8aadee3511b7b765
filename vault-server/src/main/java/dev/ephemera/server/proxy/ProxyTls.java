package dev.ephemera.server.proxy;

import dev.ephemera.server.tls.SelfSignedIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The proxies' TLS identity: the operator's PKCS#12 key store when one is configured, else a
 * self-signed certificate made at start (agents then connect with encryption but without
 * verification, as {@code sslmode=require} does — fine on loopback, not across a network).
 */
final class ProxyTls {
    private ProxyTls() {
    }

    static SSLContext context(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        if (keyStore == null) {
            return SelfSignedIdentity.issue("localhost", Duration.ofDays(365)).serverContext();
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, new SecureRandom());
        return context;
    }
}
