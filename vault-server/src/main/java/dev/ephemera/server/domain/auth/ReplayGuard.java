package dev.ephemera.server.domain.auth;

import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accepts each token id ({@code jti}) of an issuer once until the token expires. Ids seen are kept
 * in memory and durably, so a restart does not reopen the window; expired ones are dropped.
 */
final class ReplayGuard {
    private final Documents documents;
    private final InstantSource clock;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();
    private volatile Instant nextPurge = Instant.MIN;

    ReplayGuard(Documents documents, InstantSource clock) {
        this.documents = documents;
        this.clock = clock;
        documents.list(Keys.prefix("jti"), Seen.class).forEach(s -> seen.put(s.key(), s.expiresAt()));
    }

    record Seen(String key, Instant expiresAt) {}

    /** True the first time this id of this issuer is presented; false for every replay. */
    boolean firstUse(String issuerName, String jti, Instant expiresAt) {
        purgeExpired();
        String key = issuerName + ":" + sha256(jti);
        if (seen.putIfAbsent(key, expiresAt) != null) {
            return false;
        }
        documents.put(Keys.of("jti", key), new Seen(key, expiresAt));
        return true;
    }

    private void purgeExpired() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plusSeconds(60);
        Batch expired = Batch.create();
        for (Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Instant> entry = it.next();
            if (!entry.getValue().isAfter(now)) {
                it.remove();
                expired.delete(Keys.of("jti", entry.getKey()));
            }
        }
        if (!expired.isEmpty()) {
            documents.write(expired);
        }
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
