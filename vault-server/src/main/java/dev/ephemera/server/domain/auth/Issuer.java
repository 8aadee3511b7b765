package dev.ephemera.server.domain.auth;

import java.util.List;

/**
 * A trusted source of workload tokens.
 * <ul>
 *   <li>{@code oidc}: tokens whose {@code iss} is {@code issuer}, naming {@code audience}, signed by
 *   a key of the static {@code jwks} or of the set published at {@code jwksUri} (found by
 *   discovery or given); each {@code jti} is accepted once when {@code rejectReplay}.</li>
 *   <li>{@code spiffe-jwt}: JWT-SVIDs of one SPIFFE trust domain: {@code sub} is a SPIFFE ID in
 *   {@code trustDomain}, the audience is required, the keys are the domain's trust bundle
 *   ({@code jwks}); SVIDs are reused until they expire, so replay is not refused.</li>
 *   <li>{@code spiffe-x509}: X.509-SVIDs of one trust domain presented over mutual TLS, chained,
 *   directly or through intermediates the client sends, to a CA certificate of the domain's bundle
 *   ({@code x509Bundle}, PEM).</li>
 * </ul>
 */
public record Issuer(String name, Kind kind, String issuer, String audience, String jwks, String jwksUri,
                     List<String> algorithms, String trustDomain, boolean rejectReplay, String x509Bundle) {

    public enum Kind { OIDC, SPIFFE_JWT, SPIFFE_X509 }

    public Issuer {
        kind = kind == null ? Kind.OIDC : kind;
        algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
    }

    /** A static-key OIDC issuer that refuses replayed tokens. */
    public static Issuer oidc(String name, String issuer, String audience, String jwks, List<String> algorithms) {
        return new Issuer(name, Kind.OIDC, issuer, audience, jwks, null, algorithms, null, true, null);
    }
}
