package dev.ephemera.legacy.proxy.pg;

import java.io.IOException;

/** A peer broke the protocol (or its bounds); the connection cannot continue. */
final class PgProtocolException extends IOException {
    PgProtocolException(String message) {
        super(message);
    }
}
