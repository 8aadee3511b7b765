package dev.ephemera.server.domain.backend;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a backend transaction again when PostgreSQL refused it only because another one touched the
 * same catalog rows at the same time: concurrent GRANTs (or DROP OWNED) on one table update one
 * {@code pg_class} tuple and the loser fails with "tuple concurrently updated" (XX000); deadlocks
 * (40P01) and serialisation failures (40001) are the same kind of loss. Nothing of the failed
 * transaction was committed, so running it again is safe. Backoff is exponential with full jitter,
 * so that the losers of one collision do not collide again.
 */
final class CatalogConflicts {
    private static final Logger log = LoggerFactory.getLogger(CatalogConflicts.class);
    static final int MAX_ATTEMPTS = 8;
    private static final long BASE_MILLIS = 10;
    private static final long CAP_MILLIS = 800;

    @FunctionalInterface
    interface Transaction<T> {
        T run() throws SQLException;
    }

    private CatalogConflicts() {}

    static <T> T retry(String backend, String what, Transaction<T> transaction) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.run();
            } catch (SQLException e) {
                String conflict = conflict(e);
                if (conflict == null || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                long ceiling = Math.min(CAP_MILLIS, BASE_MILLIS << attempt);
                long delay = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
                log.warn("PostgreSQL backend '{}': {}: {} (attempt {} of {}), retrying in {} ms", backend, what, conflict,
                        attempt, MAX_ATTEMPTS, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** What kind of conflict this is, in words, or null for an error that running again would not cure. */
    static String conflict(SQLException e) {
        String state = e.getSQLState();
        if ("40P01".equals(state)) {
            return "deadlock with a concurrent transaction (SQLSTATE 40P01)";
        }
        if ("40001".equals(state)) {
            return "serialisation failure (SQLSTATE 40001)";
        }
        if ("XX000".equals(state) && e.getMessage() != null && e.getMessage().contains("tuple concurrently updated")) {
            return "a catalog row was updated concurrently (SQLSTATE XX000)";
        }
        return null;
    }
}
