package dev.ephemera.server.domain.escrow;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Grants a legacy application read access to one escrowed secret: an admin names the application,
 * the vault returns its token once, and the grant can be withdrawn (its token dies with it).
 */
@Singleton
public final class Consumers {
    /** A consumer grant. {@code tokenKey} locates the token's record (a keyed hash), not the token. */
    public record Grant(String id, String name, String tenant, String secretId, String tokenKey, Instant createdAt) {}

    public record Issued(Grant grant, String token) {
        @Override
        public String toString() {
            return "Issued[" + grant + "]";
        }
    }

    private final Documents documents;
    private final Tokens tokens;
    private final InstantSource clock;
    private final SecretWatch watch;

    Consumers(Documents documents, Tokens tokens, InstantSource clock, SecretWatch watch) {
        this.documents = documents;
        this.tokens = tokens;
        this.clock = clock;
        this.watch = watch;
    }

    public Issued issue(String tenant, String secretId, String name) {
        String id = SecretGenerator.identifier("con_");
        String token = tokens.issueConsumer(id, tenant);
        Grant grant = new Grant(id, name, tenant, secretId, HexFormat.of().formatHex(tokens.recordKey(token)), clock.instant());
        documents.put(key(tenant, id), grant);
        return new Issued(grant, token);
    }

    public Optional<Grant> find(String tenant, String id) {
        return Keys.isPart(id) ? documents.get(key(tenant, id), Grant.class) : Optional.empty();
    }

    public List<Grant> of(String tenant, String secretId) {
        return documents.list(Keys.prefix("consumer", tenant), Grant.class).stream()
                .filter(grant -> grant.secretId().equals(secretId)).toList();
    }

    /** Withdraws the grant and its token, atomically, and ends the grant's waiting reads at once. */
    public void revoke(String tenant, String secretId, String id) {
        Grant grant = find(tenant, id).filter(g -> g.secretId().equals(secretId))
                .orElseThrow(() -> DomainException.notFound("no consumer " + id + " of " + secretId));
        documents.write(Batch.create().delete(key(tenant, id)).delete(HexFormat.of().parseHex(grant.tokenKey())));
        watch.changed(tenant, secretId);
    }

    private static byte[] key(String tenant, String id) {
        return Keys.of("consumer", tenant, id);
    }
}
