package dev.ephemera.server.domain.auth;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which tenant owns which workload identities. Issuers are shared (operators configure them); an
 * operator assigns each tenant subject prefixes of an issuer, and an identity belongs to the tenant
 * whose prefix of it is the longest. An issuer is first assigned whole (the empty prefix) to the
 * tenant of the operator who configures it. So every identity has at most one tenant, and only
 * that tenant's admins may bind it to an agent: another tenant cannot squat on it, and cannot tell
 * it from an identity that does not exist.
 */
@Singleton
public final class IssuerTenants {
    private static final int MAX_PREFIX = 512;

    /** Subjects of {@code issuer} that start with {@code subjectPrefix} (all, when empty) belong to {@code tenant}. */
    public record Assignment(String issuer, String subjectPrefix, String tenant, Instant assignedAt) {}

    /** An identity already bound to an agent: moving it to another tenant would strand the agent. */
    public record Bound(String tenant, String issuer, String subject) {}

    private final Documents documents;
    private final InstantSource clock;

    IssuerTenants(Documents documents, InstantSource clock) {
        this.documents = documents;
        this.clock = clock;
    }

    public List<Assignment> of(String issuer) {
        return documents.list(Keys.prefix("issuer-tenant", issuer), Assignment.class);
    }

    /** The tenant the identity belongs to, if any. */
    public Optional<String> owner(String issuer, String subject) {
        return owner(of(issuer), subject);
    }

    /**
     * Assigns the subjects under {@code prefix} to {@code tenant}. Refused (409) when another tenant
     * holds that very prefix, or when an identity bound by another tenant's agent would change hands.
     */
    public synchronized Assignment assign(String issuer, String prefix, String tenant, List<Bound> bound) {
        String subjectPrefix = prefix == null ? "" : prefix;
        if (subjectPrefix.length() > MAX_PREFIX || (!subjectPrefix.isEmpty() && !subjectPrefix.endsWith("/")
                && !subjectPrefix.endsWith(":"))) {
            throw DomainException.invalid("subject_prefix must be empty (the whole issuer) or end with '/' or ':' (at most "
                    + MAX_PREFIX + " characters), so that it cannot cover a longer name by accident");
        }
        List<Assignment> current = of(issuer);
        current.stream().filter(a -> a.subjectPrefix().equals(subjectPrefix) && !a.tenant().equals(tenant)).findFirst()
                .ifPresent(taken -> {
                    throw DomainException.conflict("subject prefix '" + subjectPrefix + "' of issuer " + issuer
                            + " is assigned to tenant " + taken.tenant() + " already");
                });
        Assignment assignment = new Assignment(issuer, subjectPrefix, tenant, clock.instant());
        List<Assignment> next = new java.util.ArrayList<>(current.stream()
                .filter(a -> !a.subjectPrefix().equals(subjectPrefix)).toList());
        next.add(assignment);
        bound.stream().filter(b -> b.issuer().equals(issuer))
                .filter(b -> !owner(next, b.subject()).orElse("").equals(b.tenant())).findFirst()
                .ifPresent(stranded -> {
                    throw DomainException.conflict("an agent of tenant " + stranded.tenant() + " is bound to "
                            + stranded.subject() + ", which this assignment would take away from it");
                });
        documents.put(key(issuer, subjectPrefix), assignment);
        return assignment;
    }

    /** Assigns a new issuer whole to the configuring operator's tenant; an issuer assigned already stays as it is. */
    public synchronized void claimUnassigned(String issuer, String tenant) {
        if (of(issuer).isEmpty()) {
            documents.put(key(issuer, ""), new Assignment(issuer, "", tenant, clock.instant()));
        }
    }

    private static Optional<String> owner(List<Assignment> assignments, String subject) {
        return assignments.stream().filter(a -> subject.startsWith(a.subjectPrefix()))
                .max(Comparator.comparingInt(a -> a.subjectPrefix().length()))
                .map(Assignment::tenant);
    }

    private static byte[] key(String issuer, String prefix) {
        return Keys.of("issuer-tenant", issuer,
                "p" + Base64.getUrlEncoder().withoutPadding().encodeToString(prefix.getBytes(StandardCharsets.UTF_8)));
    }
}
