package dev.ephemera.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;

/**
 * Every stored byte passes through here. The context (the storage key) is the AEAD's associated
 * data, so a ciphertext moved under another key does not open: swapping two records on disk is
 * detected, not silently accepted.
 */
public final class Barrier {
    private final Aead aead;

    Barrier(Aead aead) {
        this.aead = aead;
    }

    public byte[] seal(byte[] plaintext, byte[] context) {
        try {
            return aead.encrypt(plaintext, context);
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot seal a value", e);
        }
    }

    public byte[] open(byte[] ciphertext, byte[] context) {
        try {
            return aead.decrypt(ciphertext, context);
        } catch (GeneralSecurityException e) {
            throw new BarrierException("cannot open a value: wrong key, wrong context or tampered data");
        }
    }
}
