package dev.ephemera.server.http.mtls;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code ephemera.mtls.enabled}: whether the server's TLS asks clients for a certificate and lets
 * the vault judge X.509-SVIDs. The builders in {@link MtlsSslBuilders} are conditions on the same
 * property; this record gives it its type and its one default.
 */
@ConfigurationProperties("ephemera.mtls")
record MtlsConfiguration(@Bindable(defaultValue = "false") boolean enabled) {}
