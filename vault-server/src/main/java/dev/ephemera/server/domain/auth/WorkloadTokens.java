package dev.ephemera.server.domain.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies agents' workload tokens (signed JWTs) against configured issuers. Fails closed at every
 * step: the algorithm must be on the issuer's allow-list and match the key's type, so neither
 * {@code none} nor an HMAC keyed with a public key can pass; iss, aud, exp, nbf and iat are checked
 * with a bounded clock skew; a token may live at most a day; an OIDC issuer's token id is
 * accepted once.
 */
@Singleton
public final class WorkloadTokens {
    static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "ES256", "EdDSA");
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final int CLOCK_SKEW_SECONDS = 30;
    private static final Duration MAX_LIFETIME = Duration.ofHours(24);

    private final Documents documents;
    private final InstantSource clock;
    private final IssuerKeys keys;
    private final ReplayGuard replays;

    WorkloadTokens(Documents documents, InstantSource clock) {
        this.documents = documents;
        this.clock = clock;
        this.keys = new IssuerKeys(clock);
        this.replays = new ReplayGuard(documents, clock);
    }

    public Issuer configure(Issuer issuer) {
        Issuer stored = switch (issuer.kind()) {
            case OIDC -> configureOidc(requireJwtRules(issuer));
            case SPIFFE_JWT -> configureSpiffe(requireJwtRules(issuer));
            case SPIFFE_X509 -> X509Svids.configure(issuer);
        };
        documents.put(Keys.of("issuer", issuer.name()), stored);
        keys.forget(issuer.name());
        return stored;
    }

    private static Issuer requireJwtRules(Issuer issuer) {
        if (blank(issuer.audience())) {
            throw DomainException.invalid("audience is required");
        }
        if (issuer.algorithms().isEmpty() || !SUPPORTED_ALGORITHMS.containsAll(issuer.algorithms())) {
            throw DomainException.invalid("algorithms must be a non-empty subset of " + SUPPORTED_ALGORITHMS.stream().sorted().toList());
        }
        return issuer;
    }

    private Issuer configureOidc(Issuer issuer) {
        if (blank(issuer.issuer())) {
            throw DomainException.invalid("issuer (the tokens' iss) is required");
        }
        if (blank(issuer.jwks()) == blank(issuer.jwksUri())) {
            throw DomainException.invalid("give exactly one of jwks (the keys) or jwks_uri (where they are published; \"discover\" finds it)");
        }
        String jwksUri = issuer.jwksUri();
        if ("discover".equals(jwksUri)) {
            jwksUri = onConfiguration(() -> keys.discoverJwksUri(issuer.issuer()));
        }
        String uri = jwksUri;
        String jwks = uri == null ? publicKeys(IssuerKeys.parse(issuer.jwks())) : null;
        if (uri != null) {
            publicKeys(onConfiguration(() -> keys.fetch(uri)));
        }
        return new Issuer(issuer.name(), Issuer.Kind.OIDC, issuer.issuer(), issuer.audience(), jwks, uri,
                issuer.algorithms(), null, issuer.rejectReplay(), null);
    }

    /**
     * The X.509-SVID chain a client presented over mutual TLS (leaf first), validated up to its
     * trust domain's bundle.
     */
    public VerifiedWorkload verify(List<java.security.cert.X509Certificate> svidChain) {
        return X509Svids.verify(svidChain, issuers(), clock.instant());
    }

    static void requireTrustDomain(String trustDomain) {
        try {
            SpiffeId.ofTrustDomain(trustDomain);
        } catch (SpiffeId.Invalid e) {
            throw DomainException.invalid("trust_domain is required: a SPIFFE trust domain such as example.org");
        }
    }

    private static Issuer configureSpiffe(Issuer issuer) {
        requireTrustDomain(issuer.trustDomain());
        if (blank(issuer.jwks())) {
            throw DomainException.invalid("jwks is required: the trust domain's JWT-SVID bundle");
        }
        String jwks = publicKeys(IssuerKeys.parse(issuer.jwks()));
        return new Issuer(issuer.name(), Issuer.Kind.SPIFFE_JWT, SpiffeId.ofTrustDomain(issuer.trustDomain()).toString(),
                issuer.audience(), jwks,
                null, issuer.algorithms(), issuer.trustDomain(), false, null);
    }

    public List<Issuer> issuers() {
        return documents.list(Keys.prefix("issuer"), Issuer.class);
    }

    public VerifiedWorkload verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw DomainException.unauthenticated("a workload token is required");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw DomainException.unauthenticated("this call needs a workload token (a signed JWT)"
                    + Tokens.kindOf(token).map(kind -> "; " + kind + " was given").orElse(": the token given is not a signed JWT"));
        }
        Issuer issuer = issuerOf(claims);
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!issuer.algorithms().contains(alg.getName())) {
            throw DomainException.unauthenticated("algorithm " + alg.getName() + " is not allowed for issuer " + issuer.name());
        }
        JWK key = keys.select(issuer, jwt.getHeader().getKeyID());
        try {
            if (!jwt.verify(verifierFor(key, alg))) {
                throw DomainException.unauthenticated("workload token signature is invalid");
            }
        } catch (JOSEException e) {
            throw DomainException.unauthenticated("workload token signature cannot be verified with key " + key.getKeyID());
        }
        checkClaims(issuer, claims);
        Instant expiresAt = claims.getExpirationTime().toInstant();
        if (issuer.rejectReplay() && !replays.firstUse(issuer.name(), claims.getJWTID(), expiresAt)) {
            throw DomainException.unauthenticated("workload token was already used (jti replay)");
        }
        return new VerifiedWorkload(issuer.name(), claims.getSubject(), claims.getJWTID(), expiresAt);
    }

    /** OIDC tokens are routed by {@code iss}; JWT-SVIDs by the trust domain of their SPIFFE ID. */
    private Issuer issuerOf(JWTClaimsSet claims) {
        String iss = claims.getIssuer();
        java.util.Optional<SpiffeId> sub = SpiffeId.tryParse(claims.getSubject());
        List<Issuer> all = issuers();
        // An X.509 trust domain vouches for certificates only, never for a JWT.
        return all.stream().filter(i -> i.kind() == Issuer.Kind.OIDC && i.issuer().equals(iss)).findFirst()
                .or(() -> sub.flatMap(id -> all.stream()
                        .filter(i -> i.kind() == Issuer.Kind.SPIFFE_JWT && id.memberOf(i.trustDomain())).findFirst()))
                .orElseThrow(() -> DomainException.unauthenticated("workload token from an unknown issuer"));
    }

    private void checkClaims(Issuer issuer, JWTClaimsSet claims) {
        JWTClaimsSet exact = issuer.kind() == Issuer.Kind.OIDC
                ? new JWTClaimsSet.Builder().issuer(issuer.issuer()).build()
                : new JWTClaimsSet.Builder().build();
        Set<String> required = issuer.rejectReplay() ? Set.of("sub", "exp", "iat", "jti") : Set.of("sub", "exp");
        DefaultJWTClaimsVerifier<?> checks = new DefaultJWTClaimsVerifier<>(Set.of(issuer.audience()), exact, required, null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        checks.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        try {
            checks.verify(claims, null);
        } catch (BadJWTException e) {
            throw DomainException.unauthenticated("workload token rejected: " + e.getMessage());
        }
        Instant now = clock.instant();
        Instant expires = claims.getExpirationTime().toInstant();
        Instant issued = claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
        if (issued != null && issued.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) {
            throw DomainException.unauthenticated("workload token rejected: issued in the future");
        }
        Instant from = issued != null ? issued : now;
        if (Duration.between(from, expires).compareTo(MAX_LIFETIME) > 0) {
            throw DomainException.unauthenticated("workload token rejected: it lives longer than " + MAX_LIFETIME.toHours() + " hours");
        }
        if (issuer.kind() == Issuer.Kind.SPIFFE_JWT && !SpiffeId.tryParse(claims.getSubject())
                .filter(id -> id.namesWorkload() && id.memberOf(issuer.trustDomain())).isPresent()) {
            throw DomainException.unauthenticated("JWT-SVID subject is not a SPIFFE ID of trust domain " + issuer.trustDomain());
        }
    }

    public static int keyCount(Issuer issuer) {
        if (issuer.kind() == Issuer.Kind.SPIFFE_X509) {
            return X509Svids.bundle(issuer.x509Bundle()).size();
        }
        return issuer.jwks() == null ? 0 : IssuerKeys.parse(issuer.jwks()).getKeys().size();
    }

    /** The key decides the verifier; an algorithm that does not belong to the key's type is refused. */
    private static JWSVerifier verifierFor(JWK key, JWSAlgorithm alg) throws JOSEException {
        return switch (key) {
            case RSAKey rsa when alg.equals(JWSAlgorithm.RS256) -> new RSASSAVerifier(rsa);
            case ECKey ec when alg.equals(JWSAlgorithm.ES256) && Curve.P_256.equals(ec.getCurve()) -> new ECDSAVerifier(ec);
            case OctetKeyPair okp when alg.equals(JWSAlgorithm.EdDSA) && Curve.Ed25519.equals(okp.getCurve()) ->
                    new Ed25519Verifier(okp);
            default -> throw DomainException.unauthenticated("algorithm " + alg.getName() + " does not match key " + key.getKeyID());
        };
    }

    /** Only public keys are accepted into a trust configuration. */
    private static String publicKeys(JWKSet keys) {
        if (keys.getKeys().isEmpty()) {
            throw DomainException.invalid("jwks holds no keys");
        }
        for (JWK key : keys.getKeys()) {
            if (key.isPrivate()) {
                throw DomainException.invalid("jwks must hold public keys only; key " + key.getKeyID() + " is private");
            }
        }
        return keys.toString(true);
    }

    /** A fetch during configuration that fails is the operator's 400, not a 401. */
    private static <T> T onConfiguration(java.util.function.Supplier<T> fetch) {
        try {
            return fetch.get();
        } catch (DomainException e) {
            throw DomainException.invalid(e.getMessage());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
