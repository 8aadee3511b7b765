package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.escrow.EscrowedSecret;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * Lets consumers wait for the next change of a secret without a thread each: one future per
 * watched secret, completed (and replaced) when the escrow saves a change to it, or when a change
 * that does not pass through the escrow (a blue/green pair switching accounts) is signalled.
 */
@Singleton
public final class SecretWatch implements Consumer<EscrowedSecret> {
    private final ConcurrentMap<String, CompletableFuture<Void>> next = new ConcurrentHashMap<>();

    /** Completes at the secret's next durable change. */
    public CompletableFuture<Void> nextChange(String tenant, String id) {
        return next.computeIfAbsent(key(tenant, id), k -> new CompletableFuture<>());
    }

    @Override
    public void accept(EscrowedSecret changed) {
        changed(changed.tenant(), changed.id());
    }

    /** Wakes whoever waits on {@code id}, a secret or a pair. */
    public void changed(String tenant, String id) {
        CompletableFuture<Void> waiting = next.remove(key(tenant, id));
        if (waiting != null) {
            // Off the saving thread: a rotation holds its lock while it saves.
            waiting.completeAsync(() -> null);
        }
    }

    private static String key(String tenant, String id) {
        return tenant + '/' + id;
    }
}
