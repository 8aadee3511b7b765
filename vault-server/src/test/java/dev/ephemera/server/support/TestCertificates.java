package dev.ephemera.server.support;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates issued with Bouncy Castle, one property at a time: by default a leaf
 * (cA false, key usage digitalSignature, keyEncipherment and keyAgreement) valid for an hour.
 */
public final class TestCertificates {
    /** An OID under the documentation arc that no validator knows. */
    public static final ASN1ObjectIdentifier UNKNOWN_EXTENSION = new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1.1");
    public static final int LEAF_USAGE = KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement;
    public static final int CA_USAGE = KeyUsage.keyCertSign | KeyUsage.cRLSign;

    private final String subject;
    private final KeyPair subjectKeys;
    private String issuer;
    private KeyPair issuerKeys;
    private boolean ca;
    private Integer keyUsage = LEAF_USAGE;
    private List<String> uris = List.of();
    private Duration validFor = Duration.ofHours(1);
    private boolean unknownCriticalExtension;
    private KeyPurposeId[] purposes = {};

    private TestCertificates(String subject, KeyPair subjectKeys) {
        this.subject = subject;
        this.subjectKeys = subjectKeys;
        this.issuer = subject;
        this.issuerKeys = subjectKeys;
    }

    /** A certificate for {@code subject}; self-signed unless {@link #by} names an issuer. */
    public static TestCertificates of(String subject, KeyPair subjectKeys) {
        return new TestCertificates(subject, subjectKeys);
    }

    public TestCertificates by(String issuerName, KeyPair keys) {
        this.issuer = issuerName;
        this.issuerKeys = keys;
        return this;
    }

    /** cA true and keyCertSign with cRLSign. */
    public TestCertificates ca() {
        this.ca = true;
        this.keyUsage = CA_USAGE;
        return this;
    }

    public TestCertificates ca(boolean isCa) {
        this.ca = isCa;
        return this;
    }

    /** Bits of {@link KeyUsage}; null leaves the extension out. */
    public TestCertificates keyUsage(Integer bits) {
        this.keyUsage = bits;
        return this;
    }

    public TestCertificates uris(String... values) {
        this.uris = List.of(values);
        return this;
    }

    /** A negative duration: the certificate expired that long ago. */
    public TestCertificates validFor(Duration duration) {
        this.validFor = duration;
        return this;
    }

    public TestCertificates extendedKeyUsage(KeyPurposeId... values) {
        this.purposes = values.clone();
        return this;
    }

    public TestCertificates unknownCriticalExtension() {
        this.unknownCriticalExtension = true;
        return this;
    }

    public X509Certificate issue() throws Exception {
        Instant now = Instant.now();
        Instant from = validFor.isNegative() ? now.minus(Duration.ofHours(2)) : now.minusSeconds(60);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(new SecureRandom().nextInt(1 << 20))),
                Date.from(from), Date.from(now.plus(validFor)), new X500Name(subject), subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (keyUsage != null) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
        }
        if (!uris.isEmpty()) {
            List<GeneralName> names = new ArrayList<>();
            uris.forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        if (purposes.length > 0) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
        }
        if (unknownCriticalExtension) {
            builder.addExtension(UNKNOWN_EXTENSION, true, new DERUTF8String("must be understood"));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    public static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    public static String pem(X509Certificate... certificates) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        }
        return text.toString();
    }
}
