package dev.ephemera.server.domain.core;

import dev.ephemera.lease.LeaseException;

/**
 * A refusal with a reason the caller may read: the message must never contain a secret. The kind
 * says what sort of refusal it is; the HTTP layer alone turns a kind into a status code, and the
 * code is the stable word clients branch on.
 */
public final class DomainException extends RuntimeException {

    /** What went wrong, in the domain's words; each maps to exactly one HTTP status. */
    public enum Kind {
        INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, EXHAUSTED, UNAVAILABLE, BACKEND_UNAVAILABLE
    }

    private final Kind kind;
    private final String code;

    public DomainException(Kind kind, String code, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public static DomainException invalid(String message) {
        return new DomainException(Kind.INVALID, "invalid_request", message);
    }

    public static DomainException unauthenticated(String message) {
        return new DomainException(Kind.UNAUTHENTICATED, "unauthenticated", message);
    }

    public static DomainException forbidden(String message) {
        return new DomainException(Kind.FORBIDDEN, "forbidden", message);
    }

    public static DomainException notFound(String message) {
        return new DomainException(Kind.NOT_FOUND, "not_found", message);
    }

    public static DomainException conflict(String message) {
        return new DomainException(Kind.CONFLICT, "conflict", message);
    }

    public static DomainException backendUnavailable(String message) {
        return new DomainException(Kind.BACKEND_UNAVAILABLE, "backend_unavailable", message);
    }

    /** The lease engine's refusals in the same vocabulary, so they reach callers like every other. */
    public static DomainException of(LeaseException e) {
        return switch (e.reason()) {
            case NOT_FOUND, BACKEND_UNKNOWN -> notFound(e.getMessage());
            case NOT_RENEWABLE, NOT_REVOKING -> conflict(e.getMessage());
            case BACKEND_FAILED -> backendUnavailable(e.getMessage());
            case QUOTA_EXCEEDED -> new DomainException(Kind.EXHAUSTED, "quota_exceeded", e.getMessage());
            case SHUTTING_DOWN -> new DomainException(Kind.UNAVAILABLE, "unavailable", e.getMessage());
            case REVOKED -> new DomainException(Kind.CONFLICT, "lease_revoked", e.getMessage());
        };
    }
}
