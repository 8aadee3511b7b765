package dev.ephemera.lease;

/**
 * The most live leases one task, one agent and one tenant may hold at once; a grant beyond any of
 * them is refused before the backend is asked. {@link #NONE} sets no bound.
 */
public record LiveLimits(int perTask, int perAgent, int perTenant) {
    public static final LiveLimits NONE = new LiveLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    public LiveLimits {
        if (perTask < 1 || perAgent < 1 || perTenant < 1) {
            throw new IllegalArgumentException("live lease limits must be at least 1");
        }
    }
}
