package dev.ephemera.server.domain.auth;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.TokenHasher;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import dev.ephemera.storage.SealedStore;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Issues and resolves bearer tokens. Only the keyed hash of a token is stored, as the key of its
 * record: a copy of the data directory yields no usable token, and looking a token up by its HMAC
 * gives an attacker no timing signal about any stored value.
 */
@Singleton
public final class Tokens {
    static final String ADMIN_PREFIX = "eph_admin_";
    static final String TASK_PREFIX = "eph_task_";

    private final Documents documents;
    private final TokenHasher hasher;
    private final InstantSource clock;
    private final Admins admins;

    Tokens(Documents documents, SealedStore store, InstantSource clock, Admins admins) {
        this.documents = documents;
        this.hasher = store.tokenHasher();
        this.clock = clock;
        this.admins = admins;
    }

    /** An admin of one tenant, registered under a name nobody in the tenant has (409 otherwise). */
    public String issueAdmin(String name, String tenant) {
        return register(name, tenant, false);
    }

    /** An operator: admin of its tenant and of what tenants share; named as {@link #issueAdmin} is. */
    public String issueOperator(String name, String tenant) {
        return register(name, tenant, true);
    }

    /**
     * The dev server's operator, whose token is printed anew at every start on the same data
     * directory: the person stays registered (since the first start) and the earlier token dies.
     * Not offered by the API: a re-issued token would let its issuer act as that person.
     */
    public synchronized String reissueOperator(String name, String tenant) {
        Optional<Admins.Admin> registered = admins.find(tenant, name);
        if (registered.isEmpty()) {
            return issueOperator(name, tenant);
        }
        String token = SecretGenerator.token(ADMIN_PREFIX);
        Admins.Admin admin = registered.get();
        documents.write(Batch.create()
                .delete(HexFormat.of().parseHex(admin.tokenKey()))
                .put(recordKey(token), documents.encode(new TokenRecord(TokenRecord.Kind.OPERATOR, admin.name(), tenant, null)))
                .put(Admins.key(tenant, name), documents.encode(new Admins.Admin(admin.name(), tenant, true,
                        HexFormat.of().formatHex(recordKey(token)), admin.registeredAt()))));
        return token;
    }

    private synchronized String register(String name, String tenant, boolean operator) {
        admins.requireFree(tenant, name);
        String token = SecretGenerator.token(ADMIN_PREFIX);
        documents.write(registration(token, name, tenant, operator));
        return token;
    }

    /** A token record and its admin's registration, to be written together. */
    private Batch registration(String token, String name, String tenant, boolean operator) {
        TokenRecord.Kind kind = operator ? TokenRecord.Kind.OPERATOR : TokenRecord.Kind.ADMIN;
        return Batch.create()
                .put(recordKey(token), documents.encode(new TokenRecord(kind, name, tenant, null)))
                .put(Admins.key(tenant, name), documents.encode(new Admins.Admin(name, tenant, operator,
                        HexFormat.of().formatHex(recordKey(token)), clock.instant())));
    }

    /**
     * The first operator token of a vault, issued once, when none has been: the only way in to a
     * fresh non-dev vault, as Vault's root token is. Empty on every later call.
     */
    public synchronized Optional<String> bootstrapOperator() {
        byte[] marker = Keys.of("operator-bootstrap");
        if (documents.get(marker, Instant.class).isPresent()) {
            return Optional.empty();
        }
        admins.requireFree("default", "root");
        String token = SecretGenerator.token(ADMIN_PREFIX);
        documents.write(registration(token, "root", "default", true).put(marker, documents.encode(clock.instant())));
        return Optional.of(token);
    }

    static final String CONSUMER_PREFIX = "eph_consumer_";

    /** A legacy application's token; the consumer grant it stands for names the one secret it reads. */
    public String issueConsumer(String consumerId, String tenant) {
        return issue(CONSUMER_PREFIX, new TokenRecord(TokenRecord.Kind.CONSUMER, consumerId, tenant, null));
    }

    /** The storage key of a token's record: lets a caller write it in a batch with other documents. */
    public byte[] recordKey(String token) {
        return Keys.of("token", hasher.hashHex(token));
    }

    static final String DELEGATION_PREFIX = "eph_delegation_";

    public String newDelegationToken() {
        return SecretGenerator.token(DELEGATION_PREFIX);
    }

    /** The unexpired delegation offer a token stands for, if it stands for one. */
    public Optional<TokenRecord> delegation(String token) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        return documents.get(recordKey(token), TokenRecord.class)
                .filter(record -> record.kind() == TokenRecord.Kind.DELEGATION)
                .filter(record -> record.expiresAt() != null && record.expiresAt().isAfter(clock.instant()));
    }

    public String newTaskToken() {
        return SecretGenerator.token(TASK_PREFIX);
    }

    /**
     * What kind of token a bearer looks like, from its form alone (a prefix, or a JWT's three
     * parts), so a refusal can say "a workload token was given" without saying whether it, or any
     * other token, is valid. Empty when it is none of ours.
     */
    public static Optional<String> kindOf(String bearer) {
        if (bearer == null) {
            return Optional.empty();
        }
        if (bearer.startsWith(TASK_PREFIX)) {
            return Optional.of("a task token");
        }
        if (bearer.startsWith(ADMIN_PREFIX)) {
            return Optional.of("an admin token");
        }
        if (bearer.startsWith(CONSUMER_PREFIX)) {
            return Optional.of("a consumer token");
        }
        if (bearer.startsWith(DELEGATION_PREFIX)) {
            return Optional.of("a delegation token");
        }
        return JWT_FORM.matcher(bearer).matches() ? Optional.of("a workload token (JWT)") : Optional.empty();
    }

    private static final java.util.regex.Pattern JWT_FORM = java.util.regex.Pattern.compile(
            "eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");

    /** Resolves a bearer token; every failure is the same 401 so tokens cannot be probed. */
    public Principal authenticate(String bearer) {
        Optional<TokenRecord> found = bearer == null || bearer.length() > 512
                ? Optional.empty()
                : documents.get(recordKey(bearer), TokenRecord.class);
        TokenRecord token = found.orElseThrow(() -> DomainException.unauthenticated("invalid or expired token"));
        if (token.expiresAt() != null && !token.expiresAt().isAfter(clock.instant())) {
            throw DomainException.unauthenticated("invalid or expired token");
        }
        return switch (token.kind()) {
            case ADMIN -> new Principal.Admin(token.subject(), token.tenant(), false);
            case OPERATOR -> new Principal.Admin(token.subject(), token.tenant(), true);
            case TASK -> new Principal.TaskHolder(token.subject(), token.tenant());
            case CONSUMER -> new Principal.Consumer(token.subject(), token.tenant());
            case DELEGATION -> throw DomainException.unauthenticated("invalid or expired token");
        };
    }

    private String issue(String prefix, TokenRecord record) {
        String token = SecretGenerator.token(prefix);
        documents.put(recordKey(token), record);
        return token;
    }
}
