package dev.ephemera.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyringTest {
    private static final byte[] VALUE = "rotate me".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONTEXT = "k".getBytes(StandardCharsets.UTF_8);

    @Test
    void wrappedKeyringUnwrapsWithTheSameUnsealKey() {
        Keyring keyring = Keyring.generate();
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] sealed = keyring.barrier().seal(VALUE, CONTEXT);

            Keyring restored = Keyring.unwrap(keyring.wrap(key), key);

            assertThat(restored.barrier().open(sealed, CONTEXT)).isEqualTo(VALUE);
            assertThat(restored.tokenHasher().hashHex("eph_task_x")).isEqualTo(keyring.tokenHasher().hashHex("eph_task_x"));
        }
    }

    @Test
    void wrongUnsealKeyFailsWithoutSayingAnythingAboutTheKey() {
        try (UnsealKey right = UnsealKey.generate(); UnsealKey wrong = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(right);

            assertThatThrownBy(() -> Keyring.unwrap(wrapped, wrong))
                    .isInstanceOf(BarrierException.class)
                    .hasMessage("cannot unseal: the unseal key is not the one that wrapped this keyring")
                    .hasNoCause();
        }
    }

    @Test
    void corruptOrShortWrappedKeyringIsRejected() {
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(key);
            wrapped[wrapped.length / 2] ^= 0x40;

            assertThatThrownBy(() -> Keyring.unwrap(wrapped, key)).isInstanceOf(BarrierException.class);
            assertThatThrownBy(() -> Keyring.unwrap(new byte[5], key)).isInstanceOf(BarrierException.class);
        }
    }

    @Test
    void wrappedKeyringDoesNotContainTheUnsealKey() {
        try (UnsealKey key = UnsealKey.generate()) {
            String wrapped = HexFormat.of().formatHex(Keyring.generate().wrap(key));

            assertThat(wrapped).doesNotContain(HexFormat.of().formatHex(key.bytes()));
        }
    }

    @Test
    void rotationKeepsOldValuesReadableAndSealsNewOnesWithTheNewKey() {
        Keyring original = Keyring.generate();
        byte[] old = original.barrier().seal(VALUE, CONTEXT);

        Keyring rotated = original.rotate();
        byte[] fresh = rotated.barrier().seal(VALUE, CONTEXT);

        assertThat(rotated.barrierKeyCount()).isEqualTo(2);
        assertThat(rotated.barrier().open(old, CONTEXT)).isEqualTo(VALUE);
        assertThat(rotated.barrier().open(fresh, CONTEXT)).isEqualTo(VALUE);
        assertThatThrownBy(() -> original.barrier().open(fresh, CONTEXT))
                .as("the pre-rotation keyring does not know the new key").isInstanceOf(BarrierException.class);
    }

    @Test
    void rotationSurvivesWrapping() {
        try (UnsealKey key = UnsealKey.generate()) {
            Keyring rotated = Keyring.generate().rotate();
            byte[] sealed = rotated.barrier().seal(VALUE, CONTEXT);

            Keyring restored = Keyring.unwrap(rotated.wrap(key), key);

            assertThat(restored.barrierKeyCount()).isEqualTo(2);
            assertThat(restored.barrier().open(sealed, CONTEXT)).isEqualTo(VALUE);
        }
    }

    @Test
    void toStringsRevealNoKeyMaterial() {
        try (UnsealKey key = UnsealKey.generate()) {
            assertThat(key.toString()).isEqualTo("UnsealKey[redacted]");
            assertThat(Keyring.generate().toString()).isEqualTo("Keyring[barrierKeys=1]");
        }
    }

    @Test
    void unsealKeyRoundTripsThroughBase64AndIsZeroedOnClose() {
        UnsealKey key = UnsealKey.generate();
        try (UnsealKey copy = UnsealKey.fromBase64(key.toBase64() + "\n")) {
            assertThat(copy.bytes()).isEqualTo(key.bytes());
        }
        byte[] held = key.bytes();
        key.close();
        assertThat(held).containsOnly(0);
    }

    @Test
    void malformedUnsealKeysAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> UnsealKey.fromBase64("not base64 !!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the unseal key is not valid base64");
        String shortKey = java.util.Base64.getEncoder().encodeToString(Arrays.copyOf(new byte[] {1, 2, 3}, 16));
        assertThatThrownBy(() -> UnsealKey.fromBase64(shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the unseal key must be 32 bytes, base64-encoded");
        assertThatThrownBy(() -> UnsealKey.fromBase64(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
