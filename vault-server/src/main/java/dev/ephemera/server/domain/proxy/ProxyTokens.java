package dev.ephemera.server.domain.proxy;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.TokenHasher;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.SealedStore;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The lease tokens agents present to the proxies. Only a keyed hash is stored, with the lease it
 * stands for; the lease keeps a pointer to that hash so revoking the lease removes the token.
 */
@Singleton
public final class ProxyTokens {
    static final String PREFIX = "eph_proxy_";
    private static final int MAX_TOKEN = 200;

    /** What a proxy token stands for. */
    public record Entry(String tenant, String leaseId, String route) {}

    private final Documents documents;
    private final TokenHasher hasher;

    ProxyTokens(Documents documents, SealedStore store) {
        this.documents = documents;
        this.hasher = store.tokenHasher();
    }

    public String issue(String tenant, String leaseId, String route) {
        String token = SecretGenerator.token(PREFIX);
        String hash = hasher.hashHex(token);
        documents.write(Batch.create()
                .put(Keys.of("proxy-token", hash), documents.encode(new Entry(tenant, leaseId, route)))
                .put(Keys.of("proxy-lease", leaseId), documents.encode(hash)));
        return token;
    }

    public Optional<Entry> find(String token) {
        if (token == null || token.length() > MAX_TOKEN || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return documents.get(Keys.of("proxy-token", hasher.hashHex(token)), Entry.class);
    }

    /** Idempotent: a lease without a token (never issued, or already revoked) is fine. */
    public void forget(String leaseId) {
        documents.get(Keys.of("proxy-lease", leaseId), String.class).ifPresent(hash -> documents.write(Batch.create()
                .delete(Keys.of("proxy-token", hash)).delete(Keys.of("proxy-lease", leaseId))));
    }
}
