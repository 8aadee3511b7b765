package dev.ephemera.server.http;

import dev.ephemera.server.domain.core.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** {@code ephemera.server.*}: how long an API client has to send a request's head ({@link RequestHeadGuards}). */
@ConfigurationProperties("ephemera.server")
record ServerConfiguration(@Bindable(defaultValue = "10s") @PositiveDuration Duration headerReadTimeout) {}
