package dev.ephemera.server.domain.auth;

import java.time.Instant;

/** What a bearer token grants; stored under the keyed hash of the token, never the token itself. */
public record TokenRecord(Kind kind, String subject, String tenant, Instant expiresAt) {
    /** DELEGATION tokens are offers of a sub-task, redeemed once by the agent named; they authenticate nothing. CONSUMER tokens read one escrowed secret (a legacy application). */
    public enum Kind { ADMIN, OPERATOR, TASK, DELEGATION, CONSUMER }
}
