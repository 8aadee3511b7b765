package dev.ephemera.legacy.proxy.pg;

/**
 * The proxy turns a client away: the SQLSTATE and message the client is sent (never a secret) and
 * the reason the audit records (may name the upstream's answer, never a secret either).
 */
final class PgRefusal extends Exception {
    private final String sqlState;
    private final String auditReason;

    PgRefusal(String sqlState, String clientMessage, String auditReason) {
        super(clientMessage, null, false, false);
        this.sqlState = sqlState;
        this.auditReason = auditReason;
    }

    String sqlState() {
        return sqlState;
    }

    String auditReason() {
        return auditReason;
    }

    byte[] errorResponse() {
        return PgWire.errorResponse(sqlState, getMessage());
    }
}
