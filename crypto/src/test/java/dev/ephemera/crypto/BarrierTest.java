package dev.ephemera.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BarrierTest {
    private static final byte[] SECRET = "pg-password-Zx81".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_A = "lease/lease_a".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_B = "lease/lease_b".getBytes(StandardCharsets.UTF_8);

    private final Barrier barrier = Keyring.generate().barrier();

    @Test
    void sealedValueOpensUnderItsOwnKey() {
        assertThat(barrier.open(barrier.seal(SECRET, KEY_A), KEY_A)).isEqualTo(SECRET);
    }

    @Test
    void sealedValueHidesThePlaintextAndNeverRepeats() {
        byte[] first = barrier.seal(SECRET, KEY_A);
        byte[] second = barrier.seal(SECRET, KEY_A);

        assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("pg-password");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void valueCopiedUnderAnotherKeyDoesNotOpen() {
        byte[] sealed = barrier.seal(SECRET, KEY_A);

        assertThatThrownBy(() -> barrier.open(sealed, KEY_B))
                .isInstanceOf(BarrierException.class)
                .hasMessageContaining("wrong context");
    }

    @Test
    void anyFlippedBitIsDetected() {
        byte[] sealed = barrier.seal(SECRET, KEY_A);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> barrier.open(tampered, KEY_A)).isInstanceOf(BarrierException.class);
        }
    }

    @Test
    void truncatedCiphertextIsRejected() {
        byte[] sealed = barrier.seal(SECRET, KEY_A);
        byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 1);

        assertThatThrownBy(() -> barrier.open(truncated, KEY_A)).isInstanceOf(BarrierException.class);
        assertThatThrownBy(() -> barrier.open(new byte[0], KEY_A)).isInstanceOf(BarrierException.class);
    }

    @Test
    void anotherKeyringCannotOpenTheValue() {
        byte[] sealed = barrier.seal(SECRET, KEY_A);

        assertThatThrownBy(() -> Keyring.generate().barrier().open(sealed, KEY_A)).isInstanceOf(BarrierException.class);
    }
}
