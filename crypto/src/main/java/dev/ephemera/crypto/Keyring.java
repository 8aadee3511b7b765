package dev.ephemera.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault's data keys: a Tink AES256-GCM keyset for the barrier and an HMAC-SHA256 keyset for
 * token hashing. Stored only wrapped by the unseal key. Rotation adds a primary key; older keys stay
 * to open what they sealed.
 */
public final class Keyring {
    private static final byte[] WRAP_LABEL = "ephemera/keyring/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE_LENGTH = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        try {
            AeadConfig.register();
            MacConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KeysetHandle barrierKeys;
    private final KeysetHandle tokenKeys;
    private final Barrier barrier;
    private final TokenHasher tokenHasher;

    private Keyring(KeysetHandle barrierKeys, KeysetHandle tokenKeys) throws GeneralSecurityException {
        this.barrierKeys = barrierKeys;
        this.tokenKeys = tokenKeys;
        this.barrier = new Barrier(barrierKeys.getPrimitive(RegistryConfiguration.get(), Aead.class));
        this.tokenHasher = new TokenHasher(tokenKeys.getPrimitive(RegistryConfiguration.get(), Mac.class));
    }

    public static Keyring generate() {
        try {
            return new Keyring(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    KeysetHandle.generateNew(PredefinedMacParameters.HMAC_SHA256_256BITTAG));
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot generate a keyring", e);
        }
    }

    public Keyring rotate() {
        try {
            KeysetHandle rotated = KeysetHandle.newBuilder(barrierKeys)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
            return new Keyring(rotated, tokenKeys);
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot rotate the keyring", e);
        }
    }

    /** The keyring encrypted under the unseal key: nonce || AES-256-GCM(len-prefixed keysets). */
    public byte[] wrap(UnsealKey key) {
        try {
            byte[] aead = TinkProtoKeysetFormat.serializeKeyset(barrierKeys, InsecureSecretKeyAccess.get());
            byte[] mac = TinkProtoKeysetFormat.serializeKeyset(tokenKeys, InsecureSecretKeyAccess.get());
            ByteBuffer plain = ByteBuffer.allocate(8 + aead.length + mac.length);
            plain.putInt(aead.length).put(aead).putInt(mac.length).put(mac);
            byte[] nonce = new byte[NONCE_LENGTH];
            RANDOM.nextBytes(nonce);
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, nonce).doFinal(plain.array());
            java.util.Arrays.fill(plain.array(), (byte) 0);
            return ByteBuffer.allocate(NONCE_LENGTH + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot wrap the keyring", e);
        }
    }

    public static Keyring unwrap(byte[] wrapped, UnsealKey key) {
        try {
            if (wrapped.length <= NONCE_LENGTH) {
                throw new GeneralSecurityException("too short");
            }
            byte[] nonce = java.util.Arrays.copyOf(wrapped, NONCE_LENGTH);
            byte[] plain = cipher(Cipher.DECRYPT_MODE, key, nonce).doFinal(wrapped, NONCE_LENGTH, wrapped.length - NONCE_LENGTH);
            ByteBuffer in = ByteBuffer.wrap(plain);
            byte[] aead = new byte[in.getInt()];
            in.get(aead);
            byte[] mac = new byte[in.getInt()];
            in.get(mac);
            Keyring keyring = new Keyring(TinkProtoKeysetFormat.parseKeyset(aead, InsecureSecretKeyAccess.get()),
                    TinkProtoKeysetFormat.parseKeyset(mac, InsecureSecretKeyAccess.get()));
            java.util.Arrays.fill(plain, (byte) 0);
            return keyring;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new BarrierException("cannot unseal: wrong unseal key or corrupt keyring");
        }
    }

    private static Cipher cipher(int mode, UnsealKey key, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(WRAP_LABEL);
        return cipher;
    }

    public Barrier barrier() {
        return barrier;
    }

    public TokenHasher tokenHasher() {
        return tokenHasher;
    }

    public int barrierKeyCount() {
        return barrierKeys.size();
    }

    @Override
    public String toString() {
        return "Keyring[barrierKeys=" + barrierKeys.size() + "]";
    }
}
