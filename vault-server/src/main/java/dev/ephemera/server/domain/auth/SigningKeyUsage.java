package dev.ephemera.server.domain.auth;

import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Set;

/**
 * X509-SVID.md 3.2 and 4.3: a certificate that signs SVIDs sets keyCertSign in a key usage
 * extension. The JDK checks keyCertSign only when the extension is there; SPIFFE requires it.
 * Claims no extension, so PKIX still refuses every critical extension nobody understands.
 */
final class SigningKeyUsage extends PKIXCertPathChecker {
    private final int pathLength;
    private int seen;

    SigningKeyUsage(int pathLength) {
        this.pathLength = pathLength;
    }

    @Override
    public void init(boolean forward) throws CertPathValidatorException {
        if (forward) {
            throw new CertPathValidatorException("checks from the trust anchor towards the leaf only");
        }
        seen = 0;
    }

    @Override
    public boolean isForwardCheckingSupported() {
        return false;
    }

    @Override
    public Set<String> getSupportedExtensions() {
        return null;
    }

    /** From the anchor side, every certificate before the last (the leaf) is a signing certificate. */
    @Override
    public void check(Certificate certificate, Collection<String> unresolvedCriticalExtensions) throws CertPathValidatorException {
        seen++;
        if (seen >= pathLength) {
            return;
        }
        boolean[] usage = ((X509Certificate) certificate).getKeyUsage();
        if (usage == null || usage.length <= X509Svids.KEY_CERT_SIGN || !usage[X509Svids.KEY_CERT_SIGN]) {
            // PKIX rethrows this with the certificate's index in the path.
            throw new CertPathValidatorException("a signing certificate must set keyCertSign", null, null, -1,
                    PKIXReason.INVALID_KEY_USAGE);
        }
    }
}
