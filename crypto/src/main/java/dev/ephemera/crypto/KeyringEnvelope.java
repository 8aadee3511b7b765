package dev.ephemera.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The keyring at rest: {@code "ephemera-keyring" || version(1 byte) || then, each prefixed by its
 * length: key check, barrier keyset, token-hashing keyset}. Each keyset is Tink's encrypted keyset
 * serialisation under a key-encryption AEAD derived from the unseal key, with associated data naming
 * the format and the keyset's purpose, so the two cannot be swapped nor read as another format.
 *
 * <p>The key check (HKDF of the unseal key under its own label, as is the key-encryption key) tells a
 * wrong unseal key from a damaged keyring before any decryption. It is not authenticated: changing
 * it reads as a wrong key, which still fails closed.
 */
final class KeyringEnvelope {
    private static final byte[] MAGIC = "ephemera-keyring".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 2;
    private static final int HEADER_LENGTH = MAGIC.length + 1;
    private static final int KEY_LENGTH = 32;
    private static final byte[] KEK_LABEL = label("key-encryption");
    private static final byte[] CHECK_LABEL = label("key-check");
    private static final byte[] BARRIER_KEYS = label("barrier-keys");
    private static final byte[] TOKEN_KEYS = label("token-hashing-keys");

    private KeyringEnvelope() {
    }

    /** True for bytes in this format, of any version; everything else is the original, legacy format. */
    static boolean recognises(byte[] wrapped) {
        return wrapped.length >= HEADER_LENGTH && Arrays.equals(wrapped, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    static byte[] write(KeysetHandle barrierKeys, KeysetHandle tokenKeys, UnsealKey key) throws GeneralSecurityException {
        Aead kek = keyEncryptionAead(key);
        byte[] body = LengthPrefixed.join(keyCheck(key),
                TinkProtoKeysetFormat.serializeEncryptedKeyset(barrierKeys, kek, BARRIER_KEYS),
                TinkProtoKeysetFormat.serializeEncryptedKeyset(tokenKeys, kek, TOKEN_KEYS));
        byte[] out = Arrays.copyOf(MAGIC, HEADER_LENGTH + body.length);
        out[MAGIC.length] = VERSION;
        System.arraycopy(body, 0, out, HEADER_LENGTH, body.length);
        return out;
    }

    static Keyring read(byte[] wrapped, UnsealKey key) {
        if (wrapped[MAGIC.length] != VERSION) {
            throw new KeyringException(KeyringException.Reason.UNKNOWN_FORMAT,
                    "cannot unseal: the keyring is in format version " + (wrapped[MAGIC.length] & 0xff)
                            + ", which this release does not know (only " + VERSION + ")");
        }
        LengthPrefixed in = new LengthPrefixed(wrapped, HEADER_LENGTH);
        byte[] check = in.next("the key check");
        byte[] barrierKeys = in.next("the barrier keyset");
        byte[] tokenKeys = in.next("the token-hashing keyset");
        in.end();
        try {
            if (!MessageDigest.isEqual(check, keyCheck(key))) {
                throw new KeyringException(KeyringException.Reason.WRONG_UNSEAL_KEY,
                        "cannot unseal: the unseal key is not the one that wrapped this keyring");
            }
            Aead kek = keyEncryptionAead(key);
            return Keyring.of(TinkProtoKeysetFormat.parseEncryptedKeyset(barrierKeys, kek, BARRIER_KEYS),
                    TinkProtoKeysetFormat.parseEncryptedKeyset(tokenKeys, kek, TOKEN_KEYS));
        } catch (GeneralSecurityException e) {
            throw KeyringException.corrupt("a keyset fails authentication under the right unseal key", e);
        }
    }

    static Aead keyEncryptionAead(UnsealKey key) throws GeneralSecurityException {
        byte[] derived = derive(key, KEK_LABEL);
        try {
            return AesGcmJce.create(AesGcmKey.builder()
                    .setParameters(AesGcmParameters.builder().setKeySizeBytes(KEY_LENGTH).setIvSizeBytes(12)
                            .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build())
                    .setKeyBytes(SecretBytes.copyFrom(derived, InsecureSecretKeyAccess.get()))
                    .build());
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    private static byte[] keyCheck(UnsealKey key) throws GeneralSecurityException {
        return derive(key, CHECK_LABEL);
    }

    private static byte[] derive(UnsealKey key, byte[] label) throws GeneralSecurityException {
        return Hkdf.computeHkdf("HMACSHA256", key.bytes(), new byte[0], label, KEY_LENGTH);
    }

    private static byte[] label(String purpose) {
        return ("ephemera/keyring/v" + VERSION + "/" + purpose).getBytes(StandardCharsets.US_ASCII);
    }
}
