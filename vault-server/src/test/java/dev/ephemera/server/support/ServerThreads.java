package dev.ephemera.server.support;

import java.util.Arrays;

/**
 * The in-process vault's threads, for a test that must know a request is being held before it acts
 * (a long poll parked until a decision): a positive event, where waiting a while would only guess.
 */
public final class ServerThreads {
    private ServerThreads() {
    }

    /** How many threads are blocked waiting (not running) inside {@code type}'s {@code method}. */
    public static long waitingIn(Class<?> type, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey().getState() == Thread.State.WAITING
                        || thread.getKey().getState() == Thread.State.TIMED_WAITING)
                .filter(thread -> Arrays.stream(thread.getValue())
                        .anyMatch(frame -> frame.getClassName().equals(type.getName()) && frame.getMethodName().equals(method)))
                .count();
    }
}
