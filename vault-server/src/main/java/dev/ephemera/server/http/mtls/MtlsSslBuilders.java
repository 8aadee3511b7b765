package dev.ephemera.server.http.mtls;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.netty.ssl.CertificateProvidedSslBuilder;
import io.micronaut.http.server.netty.ssl.SelfSignedSslBuilder;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import jakarta.inject.Singleton;
import javax.net.ssl.TrustManagerFactory;

/**
 * With {@code ephemera.mtls.enabled}, the server's TLS (self-signed for development, or from the
 * configured key store) asks clients for a certificate ({@code micronaut.server.ssl.client-authentication: want})
 * and defers judging it to the application, so trust bundles can change without a restart.
 */
final class MtlsSslBuilders {
    /** Both builders, whichever the configuration picks, defer the same way. */
    private static final TrustManagerFactory DEFERRED = new DeferredClientTrust();

    private MtlsSslBuilders() {
    }

    @Singleton
    @Replaces(SelfSignedSslBuilder.class)
    @Requires(property = "ephemera.mtls.enabled", value = "true")
    @Requires(property = "micronaut.server.ssl.build-self-signed", value = "true")
    static final class SelfSigned extends SelfSignedSslBuilder {
        SelfSigned(HttpServerConfiguration server, ServerSslConfiguration ssl, ResourceResolver resolver) {
            super(server, ssl, resolver);
        }

        @Override
        protected TrustManagerFactory getTrustManagerFactory(SslConfiguration configuration) {
            return DEFERRED;
        }
    }

    @Singleton
    @Replaces(CertificateProvidedSslBuilder.class)
    @Requires(property = "ephemera.mtls.enabled", value = "true")
    @Requires(property = "micronaut.server.ssl.build-self-signed", notEquals = "true")
    static final class Provided extends CertificateProvidedSslBuilder {
        Provided(HttpServerConfiguration server, ServerSslConfiguration ssl, ResourceResolver resolver) {
            super(server, ssl, resolver);
        }

        @Override
        protected TrustManagerFactory getTrustManagerFactory(SslConfiguration configuration) {
            return DEFERRED;
        }
    }
}
