package dev.ephemera.server.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.domain.auth.Issuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A local workload token issuer for the dev server, standing in for a SPIFFE or OIDC provider. Its
 * Ed25519 private key lives in the dev data directory so that `ephemera dev-token` can mint tokens.
 */
public final class DevIssuer {
    public static final String NAME = "dev";
    public static final String ISSUER = "https://ephemera.dev.local";
    public static final String AUDIENCE = "ephemera";

    private final OctetKeyPair key;

    private DevIssuer(OctetKeyPair key) {
        this.key = key;
    }

    /** Loads the key from {@code keyFile}, creating it (owner-only permissions) on first use. */
    public static DevIssuer loadOrCreate(Path keyFile) {
        try {
            if (Files.exists(keyFile)) {
                return new DevIssuer(OctetKeyPair.parse(Files.readString(keyFile)));
            }
            OctetKeyPair key = new OctetKeyPairGenerator(Curve.Ed25519).keyID("dev-1").generate();
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, key.toJSONString());
            return new DevIssuer(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the dev issuer key " + keyFile, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("the dev issuer key " + keyFile + " is unusable: " + e.getMessage(), e);
        }
    }

    public Issuer issuer() {
        // Replays are accepted here only: dev.env holds one token that the walkthrough uses for every task.
        return new Issuer(NAME, Issuer.Kind.OIDC, ISSUER, AUDIENCE, new JWKSet(key.toPublicJWK()).toString(true), null,
                List.of("EdDSA"), null, false, null);
    }

    public String mint(String subject, Duration ttl) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(SecretGenerator.identifier("jti_"))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new Ed25519Signer(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a dev workload token", e);
        }
        return jwt.serialize();
    }
}
