package dev.ephemera.client;

/**
 * A lease that policy holds for human approval was not decided within the client's patience
 * ({@link Ephemera.Builder#approvalWait}). The request stays pending on the server under
 * {@link #approvalId()}; leasing again starts a new request.
 */
public final class ApprovalPendingException extends EphemeraException {
    private final String approvalId;

    ApprovalPendingException(String approvalId, String message) {
        super(202, "approval_pending", message, null);
        this.approvalId = approvalId;
    }

    public String approvalId() {
        return approvalId;
    }
}
