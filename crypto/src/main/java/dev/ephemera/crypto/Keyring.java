package dev.ephemera.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import java.security.GeneralSecurityException;

/**
 * The vault's data keys: a Tink AES256-GCM keyset for the barrier and an HMAC-SHA256 keyset for
 * token hashing. Stored only wrapped by the unseal key, as Tink encrypted keysets
 * ({@link KeyringEnvelope}). Rotation adds a primary key; older keys stay to open what they sealed.
 */
public final class Keyring {
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

    /** Package-private so the two readers can build one from the keysets they opened. */
    static Keyring of(KeysetHandle barrierKeys, KeysetHandle tokenKeys) throws GeneralSecurityException {
        return new Keyring(barrierKeys, tokenKeys);
    }

    /** The keyring encrypted under the unseal key, in the current format ({@link KeyringEnvelope}). */
    public byte[] wrap(UnsealKey key) {
        try {
            return KeyringEnvelope.write(barrierKeys, tokenKeys, key);
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot wrap the keyring", e);
        }
    }

    /**
     * Opens a wrapped keyring in the current format or the original one.
     *
     * @throws KeyringException naming the reason: a wrong unseal key, a corrupt keyring, an unknown format
     */
    public static Keyring unwrap(byte[] wrapped, UnsealKey key) {
        return KeyringEnvelope.recognises(wrapped) ? KeyringEnvelope.read(wrapped, key) : LegacyKeyringReader.read(wrapped, key);
    }

    /** True when {@code wrapped} is in the original format: open it, then store {@link #wrap} of it instead. */
    public static boolean isLegacyFormat(byte[] wrapped) {
        return !KeyringEnvelope.recognises(wrapped);
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
