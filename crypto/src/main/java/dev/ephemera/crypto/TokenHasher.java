package dev.ephemera.crypto;

import com.google.crypto.tink.Mac;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Keyed hashes of bearer tokens: only these are stored. Keyed (HMAC) rather than a plain digest so
 * that a stolen copy of the data directory cannot be used to test guesses offline.
 */
public final class TokenHasher {
    private final Mac mac;

    TokenHasher(Mac mac) {
        this.mac = mac;
    }

    public byte[] hash(String token) {
        try {
            return mac.computeMac(token.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot hash a token", e);
        }
    }

    public String hashHex(String token) {
        return HexFormat.of().formatHex(hash(token));
    }

    public boolean matches(String token, byte[] expectedHash) {
        return MessageDigest.isEqual(hash(token), expectedHash);
    }
}
