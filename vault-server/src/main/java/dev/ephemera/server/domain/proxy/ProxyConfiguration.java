package dev.ephemera.server.domain.proxy;

import dev.ephemera.legacy.proxy.pg.PgProxyLimits;
import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;

/**
 * {@code ephemera.proxy.*}: where the credential-injecting proxies listen and how they bound their
 * clients. A proxy without a port, or with a negative one, is off; 0 takes any free port.
 */
@ConfigurationProperties("ephemera.proxy")
public record ProxyConfiguration(@Bindable(defaultValue = "127.0.0.1") @NotBlank String host,
                                 @NotNull Http http,
                                 @NotNull Postgres postgres,
                                 @NotNull Tls tls) {

    /** {@code ephemera.proxy.http.*} */
    @ConfigurationProperties("http")
    public record Http(@Nullable @Max(65535) Integer port,
                       @Bindable(defaultValue = "30s")
                       // the JDK's HTTP server counts this in whole seconds
                       @PositiveDuration(atLeastSeconds = 1, message = "must be at least 1s") Duration requestReadTimeout) {
        public boolean enabled() {
            return port != null && port >= 0;
        }
    }

    /** {@code ephemera.proxy.postgres.*} */
    @ConfigurationProperties("postgres")
    public record Postgres(@Nullable @Max(65535) Integer port,
                           @Bindable(defaultValue = "" + PgProxyLimits.DEFAULT_MAX_SESSIONS) @Positive int maxSessions,
                           @Bindable(defaultValue = "" + PgProxyLimits.DEFAULT_MAX_HANDSHAKES) @Positive int maxHandshakes,
                           @Bindable(defaultValue = "" + PgProxyLimits.DEFAULT_MAX_HANDSHAKES_PER_SOURCE) @Positive
                           int maxHandshakesPerSource,
                           @Bindable(defaultValue = "5s") @PositiveDuration Duration handshakeTimeout,
                           @Bindable(defaultValue = "10s") @PositiveDuration Duration refusalLogInterval) {
        public boolean enabled() {
            return port != null && port >= 0;
        }

        PgProxyLimits limits() {
            return new PgProxyLimits(maxSessions, maxHandshakes, maxHandshakesPerSource, handshakeTimeout, refusalLogInterval);
        }
    }

    /** {@code ephemera.proxy.tls.*}: the PostgreSQL proxy's identity (PKCS#12); without a key store one is made at start. */
    @ConfigurationProperties("tls")
    public record Tls(@Nullable String keyStore, @Nullable String keyStorePassword) {
        @Override
        public String toString() {
            return "Tls[keyStore=" + keyStore + "]"; // never the password
        }
    }
}
