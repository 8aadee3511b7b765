package dev.ephemera.legacy.proxy.pg;

import java.time.Duration;
import java.util.Objects;

/**
 * What keeps the PostgreSQL proxy available to agents while others misbehave.
 *
 * @param maxSessions admitted sessions at once; beyond it a client is refused with SQLSTATE 53300
 * @param maxHandshakes connections not relaying yet (TLS, startup, lease token, upstream login) at
 *     once; beyond it new ones are closed at accept
 * @param maxHandshakesPerSource of those, from one source address, so that one host cannot take
 *     every place and lock the others out
 * @param handshakeTimeout how long a connection may take from accept to relaying
 * @param refusalLogInterval refusals of one kind are logged at once, then summarised with a count
 *     once per interval, so that a flood of connections cannot flood the log
 */
public record PgProxyLimits(int maxSessions, int maxHandshakes, int maxHandshakesPerSource, Duration handshakeTimeout,
                            Duration refusalLogInterval) {
    public static final int DEFAULT_MAX_SESSIONS = 512;
    public static final int DEFAULT_MAX_HANDSHAKES = 256;
    public static final int DEFAULT_MAX_HANDSHAKES_PER_SOURCE = 32;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);
    public static final PgProxyLimits DEFAULTS = new PgProxyLimits(DEFAULT_MAX_SESSIONS, DEFAULT_MAX_HANDSHAKES,
            DEFAULT_MAX_HANDSHAKES_PER_SOURCE, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_REFUSAL_LOG_INTERVAL);

    public PgProxyLimits {
        atLeastOne("maxSessions", maxSessions);
        atLeastOne("maxHandshakes", maxHandshakes);
        atLeastOne("maxHandshakesPerSource", maxHandshakesPerSource);
        positive("handshakeTimeout", handshakeTimeout);
        positive("refusalLogInterval", refusalLogInterval);
        if (handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("handshakeTimeout is too long: " + handshakeTimeout);
        }
    }

    public PgProxyLimits withMaxSessions(int sessions) {
        return new PgProxyLimits(sessions, maxHandshakes, maxHandshakesPerSource, handshakeTimeout, refusalLogInterval);
    }

    int handshakeMillis() {
        return (int) handshakeTimeout.toMillis();
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
    }

    private static void positive(String name, Duration value) {
        if (Objects.requireNonNull(value, name).isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
