package dev.ephemera.lease;

/** Where a lease is in its life. Only the engine moves a lease forward; nothing moves it back. */
public enum LeaseState {
    /** The credential exists and is valid until the lease's expiry. */
    ACTIVE,
    /** Revocation is decided and durable; the backend has not confirmed it yet. */
    REVOKING,
    /** The backend confirmed that the credential is gone. */
    REVOKED,
    /** Revocation failed too often; kept visible for an operator and retried slowly. */
    IRREVOCABLE;

    public boolean isLive() {
        return this != REVOKED;
    }
}
