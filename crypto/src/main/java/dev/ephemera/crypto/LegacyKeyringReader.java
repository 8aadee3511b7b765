package dev.ephemera.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads the keyring format written before {@link KeyringEnvelope}: {@code nonce(12) || AES-256-GCM
 * under the unseal key (associated data "ephemera/keyring/v1") of the two keysets, each prefixed
 * by its length}. Kept only so that existing data directories can be opened and migrated; nothing
 * writes this format any more. Its single authentication tag cannot tell a wrong key from damage.
 */
final class LegacyKeyringReader {
    private static final byte[] LABEL = "ephemera/keyring/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE_LENGTH = 12;
    private static final int TAG_BITS = 128;

    private LegacyKeyringReader() {
    }

    static Keyring read(byte[] wrapped, UnsealKey key) {
        if (wrapped.length < NONCE_LENGTH + TAG_BITS / 8) {
            throw KeyringException.corrupt("too short to be a keyring");
        }
        byte[] plain = decrypt(wrapped, key);
        try {
            LengthPrefixed in = new LengthPrefixed(plain, 0);
            byte[] barrierKeys = in.next("the barrier keyset");
            byte[] tokenKeys = in.next("the token-hashing keyset");
            in.end();
            return Keyring.of(TinkProtoKeysetFormat.parseKeyset(barrierKeys, InsecureSecretKeyAccess.get()),
                    TinkProtoKeysetFormat.parseKeyset(tokenKeys, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException e) {
            throw KeyringException.corrupt("a keyset does not parse", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] decrypt(byte[] wrapped, UnsealKey key) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.bytes(), "AES"),
                    new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE_LENGTH));
            cipher.updateAAD(LABEL);
            return cipher.doFinal(wrapped, NONCE_LENGTH, wrapped.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new KeyringException(KeyringException.Reason.WRONG_UNSEAL_KEY_OR_CORRUPT,
                    "cannot unseal: the unseal key does not open this keyring, or the keyring is corrupt"
                            + " (a keyring in the original format cannot tell which)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
    }
}
