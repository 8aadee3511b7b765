package dev.ephemera.server.auth;

import dev.ephemera.server.api.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;

/**
 * X.509-SVIDs (SPIFFE): a leaf certificate, not a CA, carrying exactly one URI SAN, a SPIFFE ID
 * whose trust domain is configured, valid now, and signed by a CA certificate of that domain's
 * bundle. SVIDs issued through intermediates are not accepted yet: the application sees the leaf
 * only, so the leaf's issuer must be in the bundle.
 */
final class X509Svids {
    private static final int URI_SAN = 6;
    private static final int MAX_BUNDLE_CERTS = 64;

    private X509Svids() {
    }

    static Issuer configure(Issuer issuer) {
        WorkloadTokens.requireTrustDomain(issuer.trustDomain());
        List<X509Certificate> bundle = bundle(issuer.x509Bundle());
        if (bundle.isEmpty() || bundle.size() > MAX_BUNDLE_CERTS) {
            throw ApiException.invalid("x509_bundle must hold 1 to " + MAX_BUNDLE_CERTS + " PEM certificates");
        }
        for (X509Certificate ca : bundle) {
            if (ca.getBasicConstraints() < 0) {
                throw ApiException.invalid("x509_bundle holds a certificate that is not a CA: " + ca.getSubjectX500Principal().getName());
            }
        }
        return new Issuer(issuer.name(), Issuer.Kind.SPIFFE_X509, "spiffe://" + issuer.trustDomain(), null, null, null,
                List.of(), issuer.trustDomain(), false, issuer.x509Bundle());
    }

    static List<X509Certificate> bundle(String pem) {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        try {
            Collection<? extends java.security.cert.Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certificates.stream().map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw ApiException.invalid("x509_bundle is not a list of PEM certificates");
        }
    }

    static VerifiedWorkload verify(X509Certificate leaf, List<Issuer> issuers, Instant now) {
        if (leaf.getBasicConstraints() >= 0) {
            throw ApiException.unauthenticated("an X.509-SVID is a leaf certificate, not a CA");
        }
        String spiffeId = onlySpiffeId(leaf);
        String trustDomain = spiffeId.substring("spiffe://".length()).split("/", 2)[0];
        Issuer issuer = issuers.stream()
                .filter(i -> i.kind() == Issuer.Kind.SPIFFE_X509 && i.trustDomain().equals(trustDomain)).findFirst()
                .orElseThrow(() -> ApiException.unauthenticated("X.509-SVID of an unknown trust domain"));
        try {
            leaf.checkValidity(Date.from(now));
        } catch (GeneralSecurityException e) {
            throw ApiException.unauthenticated("X.509-SVID is expired or not yet valid");
        }
        boolean signed = bundle(issuer.x509Bundle()).stream().anyMatch(ca -> signedBy(leaf, ca, now));
        if (!signed) {
            throw ApiException.unauthenticated("X.509-SVID is not signed by trust domain " + trustDomain + "'s bundle");
        }
        return new VerifiedWorkload(issuer.name(), spiffeId, null, leaf.getNotAfter().toInstant());
    }

    private static String onlySpiffeId(X509Certificate leaf) {
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            List<String> uris = names == null ? List.of() : names.stream()
                    .filter(name -> Integer.valueOf(URI_SAN).equals(name.get(0))).map(name -> String.valueOf(name.get(1))).toList();
            if (uris.size() != 1 || !uris.getFirst().startsWith("spiffe://") || uris.getFirst().length() > 2048) {
                throw ApiException.unauthenticated("an X.509-SVID carries exactly one URI SAN, a SPIFFE ID");
            }
            return uris.getFirst();
        } catch (java.security.cert.CertificateParsingException e) {
            throw ApiException.unauthenticated("X.509-SVID subject alternative names cannot be read");
        }
    }

    private static boolean signedBy(X509Certificate leaf, X509Certificate ca, Instant now) {
        if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            ca.checkValidity(Date.from(now));
            leaf.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
