package dev.ephemera.server.domain.auth;

import dev.ephemera.server.domain.core.DomainException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * X.509-SVIDs (SPIFFE X509-SVID.md): the chain a client presented, leaf first, is validated by the
 * JDK's PKIX {@link CertPathValidator} up to a CA certificate of the bundle of the leaf's trust
 * domain, through any intermediates the client sent. PKIX checks signatures, validity, basic
 * constraints, path length, name constraints and key usage of the CA certificates, and refuses any
 * critical extension no checker claims. On top, the SVID rules: the leaf carries exactly one URI
 * SAN, a SPIFFE ID naming a workload; it is not a CA; its key usage includes digitalSignature and
 * neither keyCertSign nor cRLSign; its extended key usage, if any, includes clientAuth; every signing
 * certificate sets keyCertSign ({@link SigningKeyUsage}).
 */
final class X509Svids {
    private static final int URI_SAN = 6;
    private static final int MAX_BUNDLE_CERTS = 64;
    /** A client's chain is bounded before any signature is checked. */
    private static final int MAX_CHAIN = 8;
    private static final int DIGITAL_SIGNATURE = 0;
    static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private X509Svids() {
    }

    static Issuer configure(Issuer issuer) {
        WorkloadTokens.requireTrustDomain(issuer.trustDomain());
        List<X509Certificate> bundle = bundle(issuer.x509Bundle());
        if (bundle.isEmpty() || bundle.size() > MAX_BUNDLE_CERTS) {
            throw DomainException.invalid("x509_bundle must hold 1 to " + MAX_BUNDLE_CERTS + " PEM certificates");
        }
        for (X509Certificate ca : bundle) {
            if (ca.getBasicConstraints() < 0) {
                throw DomainException.invalid("x509_bundle holds a certificate that is not a CA: " + ca.getSubjectX500Principal().getName());
            }
        }
        return new Issuer(issuer.name(), Issuer.Kind.SPIFFE_X509, SpiffeId.ofTrustDomain(issuer.trustDomain()).toString(), null, null,
                null, List.of(), issuer.trustDomain(), false, issuer.x509Bundle());
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
            throw DomainException.invalid("x509_bundle is not a list of PEM certificates");
        }
    }

    /** {@code chain} is as the client sent it: the leaf first, then the certificates that sign it. */
    static VerifiedWorkload verify(List<X509Certificate> chain, List<Issuer> issuers, Instant now) {
        if (chain.isEmpty() || chain.size() > MAX_CHAIN) {
            throw DomainException.unauthenticated("an X.509-SVID chain holds 1 to " + MAX_CHAIN + " certificates");
        }
        X509Certificate leaf = chain.getFirst();
        requireLeaf(leaf);
        SpiffeId spiffeId = onlySpiffeId(leaf);
        Issuer issuer = issuers.stream()
                .filter(i -> i.kind() == Issuer.Kind.SPIFFE_X509 && spiffeId.memberOf(i.trustDomain())).findFirst()
                .orElseThrow(() -> DomainException.unauthenticated("X.509-SVID of an unknown trust domain"));
        try {
            leaf.checkValidity(Date.from(now));
        } catch (GeneralSecurityException e) {
            throw DomainException.unauthenticated("X.509-SVID is expired or not yet valid");
        }
        validatePath(chain, bundle(issuer.x509Bundle()), spiffeId.trustDomain(), now);
        return new VerifiedWorkload(issuer.name(), spiffeId.toString(), null, leaf.getNotAfter().toInstant());
    }

    /** X509-SVID.md 4.1, 4.3, 4.4 and 5.2: a leaf is no CA and its key signs, never certificates or CRLs. */
    private static void requireLeaf(X509Certificate leaf) {
        if (leaf.getBasicConstraints() >= 0) {
            throw DomainException.unauthenticated("an X.509-SVID is a leaf certificate, not a CA");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || !usage[DIGITAL_SIGNATURE]) {
            throw DomainException.unauthenticated("an X.509-SVID's key usage must include digitalSignature");
        }
        if (usage.length > CRL_SIGN && (usage[KEY_CERT_SIGN] || usage[CRL_SIGN])) {
            throw DomainException.unauthenticated("an X.509-SVID's key usage must not include keyCertSign or cRLSign");
        }
        // X509-SVID.md 4.4 and RFC 5280 4.2.1.12: an extended key usage, when present, limits the key to
        // its purposes; the TLS layer defers judging, so the purpose a client certificate needs is checked here.
        List<String> purposes;
        try {
            purposes = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw DomainException.unauthenticated("X.509-SVID extended key usage cannot be read");
        }
        if (purposes != null && !purposes.contains(CLIENT_AUTH)) {
            throw DomainException.unauthenticated("an X.509-SVID's extended key usage must include clientAuth");
        }
    }

    /** X509-SVID.md 2 and 5.2: exactly one URI SAN, a SPIFFE ID with a path. */
    private static SpiffeId onlySpiffeId(X509Certificate leaf) {
        List<String> uris;
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            uris = names == null ? List.of() : names.stream()
                    .filter(name -> Integer.valueOf(URI_SAN).equals(name.get(0))).map(name -> String.valueOf(name.get(1))).toList();
        } catch (CertificateParsingException e) {
            throw DomainException.unauthenticated("X.509-SVID subject alternative names cannot be read");
        }
        if (uris.size() != 1) {
            throw DomainException.unauthenticated("an X.509-SVID carries exactly one URI SAN, a SPIFFE ID");
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(uris.getFirst());
        } catch (SpiffeId.Invalid e) {
            throw DomainException.unauthenticated("an X.509-SVID carries exactly one URI SAN, a SPIFFE ID: " + e.getMessage());
        }
        if (!id.namesWorkload()) {
            throw DomainException.unauthenticated("an X.509-SVID's SPIFFE ID names a workload: it has a path");
        }
        return id;
    }

    private static void validatePath(List<X509Certificate> chain, List<X509Certificate> bundle, String trustDomain, Instant now) {
        Date at = Date.from(now);
        // PKIX does not check a trust anchor's own dates; a bundle CA that is not valid now anchors nothing.
        Set<TrustAnchor> anchors = bundle.stream().filter(ca -> validAt(ca, at)).map(ca -> new TrustAnchor(ca, null))
                .collect(Collectors.toSet());
        String notSigned = "X.509-SVID is not signed by trust domain " + trustDomain + "'s bundle";
        if (anchors.isEmpty()) {
            throw DomainException.unauthenticated(notSigned);
        }
        // A client may send the root as well; the path PKIX validates ends below the anchor.
        List<X509Certificate> path = chain.stream().takeWhile(cert -> !bundle.contains(cert)).toList();
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            // SVIDs live for hours and SPIFFE publishes no CRLs or OCSP: a compromised key is dropped
            // from the bundle instead, so revocation checking is off.
            parameters.setRevocationEnabled(false);
            parameters.setDate(at);
            parameters.addCertPathChecker(new SigningKeyUsage(path.size()));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            throw DomainException.unauthenticated(refusal(e, notSigned));
        } catch (GeneralSecurityException e) {
            throw DomainException.unauthenticated("X.509-SVID chain cannot be validated");
        }
    }

    private static String refusal(CertPathValidatorException e, String notSigned) {
        String where = e.getIndex() <= 0 ? "X.509-SVID" : "certificate " + e.getIndex() + " above the X.509-SVID";
        return switch (e.getReason()) {
            case CertPathValidatorException.BasicReason.EXPIRED, CertPathValidatorException.BasicReason.NOT_YET_VALID ->
                    where + " is expired or not yet valid";
            case CertPathValidatorException.BasicReason.INVALID_SIGNATURE, PKIXReason.NO_TRUST_ANCHOR -> notSigned;
            case PKIXReason.UNRECOGNIZED_CRIT_EXT -> where + " carries an unknown critical extension";
            case PKIXReason.NOT_CA_CERT -> where + " signs certificates but is not a CA";
            case PKIXReason.INVALID_KEY_USAGE -> where + " signs certificates but its key usage lacks keyCertSign";
            case PKIXReason.PATH_TOO_LONG -> "X.509-SVID chain is longer than a CA's path length allows";
            case PKIXReason.INVALID_NAME -> where + " is outside a CA's name constraints";
            default -> "X.509-SVID chain is not valid (" + e.getReason() + ")";
        };
    }

    private static boolean validAt(X509Certificate certificate, Date at) {
        try {
            certificate.checkValidity(at);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
