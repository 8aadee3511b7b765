package dev.ephemera.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import dev.ephemera.crypto.KeyringException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The keyring at rest: Tink encrypted keysets, the reasons a keyring is refused, and the original format. */
class KeyringFormatTest {
    private static final byte[] MAGIC = "ephemera-keyring".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 1;
    private static final byte[] VALUE = "at rest".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONTEXT = "lease/x".getBytes(StandardCharsets.UTF_8);

    @Test
    void wrapWritesTheVersionedEnvelopeAndReadsItBack() {
        Keyring keyring = Keyring.generate().rotate();
        byte[] sealed = keyring.barrier().seal(VALUE, CONTEXT);
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] wrapped = keyring.wrap(key);

            assertThat(Arrays.copyOf(wrapped, HEADER)).startsWith(MAGIC).endsWith(2);
            assertThat(Keyring.isLegacyFormat(wrapped)).isFalse();
            Keyring restored = Keyring.unwrap(wrapped, key);
            assertThat(restored.barrierKeyCount()).isEqualTo(2);
            assertThat(restored.barrier().open(sealed, CONTEXT)).isEqualTo(VALUE);
            assertThat(restored.tokenHasher().hashHex("eph_task_x")).isEqualTo(keyring.tokenHasher().hashHex("eph_task_x"));
        }
    }

    @Test
    void aWrongUnsealKeyIsNamedAsSuchWithoutKeyMaterial() {
        try (UnsealKey right = UnsealKey.generate(); UnsealKey wrong = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(right);

            assertThatThrownBy(() -> Keyring.unwrap(wrapped, wrong))
                    .isInstanceOfSatisfying(KeyringException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.WRONG_UNSEAL_KEY);
                        assertThat(e.getMessage()).doesNotContain(HexFormat.of().formatHex(right.bytes()))
                                .doesNotContain(HexFormat.of().formatHex(wrong.bytes()))
                                .doesNotContain(right.toBase64()).doesNotContain(wrong.toBase64());
                    });
        }
    }

    @Test
    void aTamperedKeysetIsCorruptNotAWrongKey() {
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(key);
            int keysets = HEADER + Integer.BYTES + 32;
            for (int at : new int[] {keysets + Integer.BYTES + 40, wrapped.length - 1}) {
                byte[] tampered = wrapped.clone();
                tampered[at] ^= 0x01;

                assertThat(reasonFor(tampered, key)).as("byte %d flipped", at).isEqualTo(Reason.CORRUPT);
            }
            assertThat(reasonFor(Arrays.copyOf(wrapped, wrapped.length - 1), key)).as("truncated").isEqualTo(Reason.CORRUPT);
            assertThat(reasonFor(Arrays.copyOf(wrapped, wrapped.length + 1), key)).as("extended").isEqualTo(Reason.CORRUPT);
            assertThat(reasonFor(Arrays.copyOf(wrapped, HEADER), key)).as("header only").isEqualTo(Reason.CORRUPT);
        }
    }

    @Test
    void eachKeysetOpensOnlyUnderTheAssociatedDataOfItsOwnPurpose() throws Exception {
        try (UnsealKey key = UnsealKey.generate()) {
            byte[][] fields = fields(Keyring.generate().wrap(key));
            Aead kek = KeyringEnvelope.keyEncryptionAead(key);
            byte[] barrier = "ephemera/keyring/v2/barrier-keys".getBytes(StandardCharsets.US_ASCII);
            byte[] tokens = "ephemera/keyring/v2/token-hashing-keys".getBytes(StandardCharsets.US_ASCII);

            assertThat(TinkProtoKeysetFormat.parseEncryptedKeyset(fields[1], kek, barrier).size()).isEqualTo(1);
            assertThat(TinkProtoKeysetFormat.parseEncryptedKeyset(fields[2], kek, tokens).size()).isEqualTo(1);
            for (byte[][] misuse : new byte[][][] {{fields[1], tokens}, {fields[2], barrier}, {fields[1], new byte[0]}}) {
                assertThatThrownBy(() -> TinkProtoKeysetFormat.parseEncryptedKeyset(misuse[0], kek, misuse[1]))
                        .isInstanceOf(GeneralSecurityException.class);
            }
        }
    }

    @Test
    void swappedKeysetsAreCorrupt() {
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(key);
            byte[][] fields = fields(wrapped);
            ByteBuffer swapped = ByteBuffer.allocate(wrapped.length).put(wrapped, 0, HEADER);
            for (byte[] field : new byte[][] {fields[0], fields[2], fields[1]}) {
                swapped.putInt(field.length).put(field);
            }

            assertThat(reasonFor(swapped.array(), key)).isEqualTo(Reason.CORRUPT);
        }
    }

    @Test
    void anUnknownFormatVersionIsNamedAndNotTreatedAsTheOriginalFormat() {
        try (UnsealKey key = UnsealKey.generate()) {
            byte[] wrapped = Keyring.generate().wrap(key);
            wrapped[MAGIC.length] = 3;

            assertThat(Keyring.isLegacyFormat(wrapped)).isFalse();
            assertThatThrownBy(() -> Keyring.unwrap(wrapped, key))
                    .isInstanceOfSatisfying(KeyringException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FORMAT))
                    .hasMessage("cannot unseal: the keyring is in format version 3, which this release does not know (only 2)");
        }
    }

    /** legacy-keyring-v1.properties was written once by the Keyring of commit c3c1c82, before this format. */
    @Test
    void aKeyringWrittenInTheOriginalFormatOpensAndRewrapsInTheCurrentOne() {
        Properties fixture = fixture();
        byte[] context = fixture.getProperty("context").getBytes(StandardCharsets.UTF_8);
        byte[] legacy = hex(fixture, "keyring");
        try (UnsealKey key = UnsealKey.fromBase64(fixture.getProperty("unseal-key"))) {
            assertThat(Keyring.isLegacyFormat(legacy)).isTrue();
            Keyring opened = Keyring.unwrap(legacy, key);

            byte[] rewrapped = opened.wrap(key);
            assertThat(Keyring.isLegacyFormat(rewrapped)).isFalse();
            Keyring migrated = Keyring.unwrap(rewrapped, key);
            for (Keyring keyring : new Keyring[] {opened, migrated}) {
                assertThat(keyring.barrierKeyCount()).isEqualTo(2);
                assertThat(keyring.barrier().open(hex(fixture, "sealed-before-rotation"), context))
                        .asString(StandardCharsets.UTF_8).isEqualTo("sealed before rotation");
                assertThat(keyring.barrier().open(hex(fixture, "sealed-after-rotation"), context))
                        .asString(StandardCharsets.UTF_8).isEqualTo("sealed after rotation");
                assertThat(keyring.tokenHasher().hashHex(fixture.getProperty("token"))).isEqualTo(fixture.getProperty("token-hash"));
            }
        }
    }

    @Test
    void theOriginalFormatRefusesAWrongKeyOrDamageWithoutClaimingWhich() {
        Properties fixture = fixture();
        byte[] legacy = hex(fixture, "keyring");
        byte[] tampered = legacy.clone();
        tampered[tampered.length / 2] ^= 0x40;
        try (UnsealKey right = UnsealKey.fromBase64(fixture.getProperty("unseal-key")); UnsealKey wrong = UnsealKey.generate()) {
            assertThat(reasonFor(legacy, wrong)).isEqualTo(Reason.WRONG_UNSEAL_KEY_OR_CORRUPT);
            assertThat(reasonFor(tampered, right)).isEqualTo(Reason.WRONG_UNSEAL_KEY_OR_CORRUPT);
            assertThat(reasonFor(new byte[5], right)).as("too short for either format").isEqualTo(Reason.CORRUPT);
        }
    }

    /** The key check, the barrier keyset and the token-hashing keyset, as written after the header. */
    private static byte[][] fields(byte[] wrapped) {
        ByteBuffer in = ByteBuffer.wrap(wrapped, HEADER, wrapped.length - HEADER);
        byte[][] fields = new byte[3][];
        for (int i = 0; i < 3; i++) {
            fields[i] = new byte[in.getInt()];
            in.get(fields[i]);
        }
        return fields;
    }

    private static Reason reasonFor(byte[] wrapped, UnsealKey key) {
        try {
            Keyring.unwrap(wrapped, key);
        } catch (KeyringException e) {
            return e.reason();
        }
        throw new AssertionError("the keyring was accepted");
    }

    private static byte[] hex(Properties fixture, String name) {
        return HexFormat.of().parseHex(fixture.getProperty(name));
    }

    private static Properties fixture() {
        try (InputStream in = KeyringFormatTest.class.getResourceAsStream("legacy-keyring-v1.properties")) {
            Properties fixture = new Properties();
            fixture.load(in);
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
