package dev.ephemera.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/** The AES-256 key that wraps the keyring. Held only in memory while unsealing; zeroed on close. */
public final class UnsealKey implements AutoCloseable {
    static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private UnsealKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static UnsealKey generate() {
        byte[] bytes = new byte[LENGTH];
        RANDOM.nextBytes(bytes);
        return new UnsealKey(bytes);
    }

    public static UnsealKey fromBase64(String encoded) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded == null ? "" : encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the unseal key is not valid base64");
        }
        if (bytes.length != LENGTH) {
            Arrays.fill(bytes, (byte) 0);
            throw new IllegalArgumentException("the unseal key must be " + LENGTH + " bytes, base64-encoded");
        }
        return new UnsealKey(bytes);
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public void close() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "UnsealKey[redacted]";
    }
}
