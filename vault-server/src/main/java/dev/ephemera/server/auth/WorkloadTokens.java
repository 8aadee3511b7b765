package dev.ephemera.server.auth;

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
import dev.ephemera.server.api.ApiException;
import dev.ephemera.server.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.text.ParseException;
import java.util.List;
import java.util.Set;

/**
 * Verifies agents' workload tokens (signed JWTs) against configured issuers. Fails closed at every
 * step: the algorithm must be on the issuer's allow-list and match the key's type, so neither
 * {@code none} nor an HMAC keyed with a public key can pass; iss, aud, exp and nbf are checked with
 * a bounded clock skew.
 */
@Singleton
public final class WorkloadTokens {
    static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "ES256", "EdDSA");
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final int CLOCK_SKEW_SECONDS = 30;

    private final Documents documents;

    WorkloadTokens(Documents documents) {
        this.documents = documents;
    }

    public Issuer configure(Issuer issuer) {
        if (blank(issuer.issuer()) || blank(issuer.audience())) {
            throw ApiException.invalid("issuer and audience are required");
        }
        if (issuer.algorithms() == null || issuer.algorithms().isEmpty()
                || !SUPPORTED_ALGORITHMS.containsAll(issuer.algorithms())) {
            throw ApiException.invalid("algorithms must be a non-empty subset of " + SUPPORTED_ALGORITHMS.stream().sorted().toList());
        }
        JWKSet keys = parseKeys(issuer.jwks());
        if (keys.getKeys().isEmpty()) {
            throw ApiException.invalid("jwks holds no keys");
        }
        for (JWK key : keys.getKeys()) {
            if (key.isPrivate()) {
                throw ApiException.invalid("jwks must hold public keys only; key " + key.getKeyID() + " is private");
            }
        }
        Issuer stored = new Issuer(issuer.name(), issuer.issuer(), issuer.audience(),
                keys.toString(true), List.copyOf(issuer.algorithms()));
        documents.put(Keys.of("issuer", issuer.name()), stored);
        return stored;
    }

    public List<Issuer> issuers() {
        return documents.list(Keys.prefix("issuer"), Issuer.class);
    }

    public VerifiedWorkload verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw ApiException.unauthenticated("a workload token is required");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw ApiException.unauthenticated("malformed workload token: not a signed JWT");
        }
        String iss = claims.getIssuer();
        Issuer issuer = issuers().stream().filter(i -> i.issuer().equals(iss)).findFirst()
                .orElseThrow(() -> ApiException.unauthenticated("workload token from an unknown issuer"));
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!issuer.algorithms().contains(alg.getName())) {
            throw ApiException.unauthenticated("algorithm " + alg.getName() + " is not allowed for issuer " + issuer.name());
        }
        JWK key = selectKey(parseKeys(issuer.jwks()), jwt.getHeader().getKeyID());
        try {
            if (!jwt.verify(verifierFor(key, alg))) {
                throw ApiException.unauthenticated("workload token signature is invalid");
            }
        } catch (JOSEException e) {
            throw ApiException.unauthenticated("workload token signature cannot be verified with key " + key.getKeyID());
        }
        DefaultJWTClaimsVerifier<?> checks = new DefaultJWTClaimsVerifier<>(Set.of(issuer.audience()),
                new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(), Set.of("sub", "exp"), null);
        checks.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        try {
            checks.verify(claims, null);
        } catch (BadJWTException e) {
            throw ApiException.unauthenticated("workload token rejected: " + e.getMessage());
        }
        return new VerifiedWorkload(issuer.name(), claims.getSubject(), claims.getJWTID(),
                claims.getExpirationTime().toInstant());
    }

    public static int keyCount(Issuer issuer) {
        return parseKeys(issuer.jwks()).getKeys().size();
    }

    private static JWK selectKey(JWKSet keys, String kid) {
        if (kid == null) {
            if (keys.getKeys().size() == 1) {
                return keys.getKeys().getFirst();
            }
            throw ApiException.unauthenticated("workload token has no kid and the issuer has several keys");
        }
        JWK key = keys.getKeyByKeyId(kid);
        if (key == null) {
            throw ApiException.unauthenticated("workload token names an unknown key id");
        }
        return key;
    }

    /** The key decides the verifier; an algorithm that does not belong to the key's type is refused. */
    private static JWSVerifier verifierFor(JWK key, JWSAlgorithm alg) throws JOSEException {
        return switch (key) {
            case RSAKey rsa when alg.equals(JWSAlgorithm.RS256) -> new RSASSAVerifier(rsa);
            case ECKey ec when alg.equals(JWSAlgorithm.ES256) && Curve.P_256.equals(ec.getCurve()) -> new ECDSAVerifier(ec);
            case OctetKeyPair okp when alg.equals(JWSAlgorithm.EdDSA) && Curve.Ed25519.equals(okp.getCurve()) ->
                    new Ed25519Verifier(okp);
            default -> throw ApiException.unauthenticated("algorithm " + alg.getName() + " does not match key " + key.getKeyID());
        };
    }

    private static JWKSet parseKeys(String jwks) {
        try {
            return JWKSet.parse(jwks == null ? "" : jwks);
        } catch (ParseException e) {
            throw ApiException.invalid("jwks is not a valid JWK set: " + e.getMessage());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
