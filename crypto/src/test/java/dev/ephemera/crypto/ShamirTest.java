package dev.ephemera.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShamirTest {
    private static final HexFormat HEX = HexFormat.of();

    /** FIPS-197 section 4.2: {57}·{83} = {c1}; section 4.2.1: {57}·{13} = {fe}; {53} and {ca} are inverses (its S-box example). */
    @Test
    void theFieldIsAesFieldByItsPublishedExamples() {
        assertThat(Gf256.multiply(0x57, 0x83)).isEqualTo(0xc1);
        assertThat(Gf256.multiply(0x57, 0x13)).isEqualTo(0xfe);
        assertThat(Gf256.inverse(0x53)).isEqualTo(0xca);
    }

    @Test
    void everyNonZeroElementHasItsInverseAndMultiplicationIsAField() {
        for (int a = 0; a < 256; a++) {
            if (a != 0) {
                assertThat(Gf256.multiply(a, Gf256.inverse(a))).as("a = %d", a).isEqualTo(1);
            }
            for (int b = 0; b < 256; b++) {
                assertThat(Gf256.multiply(a, b)).isEqualTo(Gf256.multiply(b, a));
                int c = (a * 31 + b * 17) & 0xff;
                assertThat(Gf256.multiply(a, Gf256.add(b, c))).isEqualTo(Gf256.add(Gf256.multiply(a, b), Gf256.multiply(a, c)));
            }
        }
    }

    /**
     * Worked by hand with the field's rules: f(x) = {57} + {83}x + {13}x² gives f(1) = {57}+{83}+{13}
     * = {c7}, f(2) = {57}+{1d}+{4c} = {06} and f(3) = {96}; any three of them give back {57}.
     */
    @Test
    void combineInterpolatesAKnownPolynomialAtZero() {
        assertThat(Shamir.combine(List.of(HEX.parseHex("c701"), HEX.parseHex("0602"), HEX.parseHex("9603"))))
                .isEqualTo(new byte[] {0x57});
        // Degree one, f(x) = {57} + {83}x: f(1) = {d4}, f(2) = {4a}.
        assertThat(Shamir.combine(List.of(HEX.parseHex("4a02"), HEX.parseHex("d401")))).isEqualTo(new byte[] {0x57});
    }

    @Test
    void anyThresholdOfSharesRecoversTheSecretAndFewerDoNot() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int parts = 2 + random.nextInt(9);
            int threshold = 2 + random.nextInt(parts - 1);
            byte[] secret = new byte[16 + random.nextInt(48)];
            random.nextBytes(secret);
            List<byte[]> shares = Shamir.split(secret, parts, threshold);
            String context = "seed " + seed + ", round " + round + ": " + threshold + " of " + parts;

            assertThat(shares).hasSize(parts).allSatisfy(share -> assertThat(share).hasSize(secret.length + 1));
            for (int trial = 0; trial < 5; trial++) {
                assertThat(Shamir.combine(pick(shares, threshold, random))).as(context).isEqualTo(secret);
                assertThat(Shamir.combine(pick(shares, parts, random))).as(context).isEqualTo(secret);
                if (threshold > 2) {
                    // 16 bytes or more: a chance match is 2^-128.
                    assertThat(Shamir.combine(pick(shares, threshold - 1, random))).as(context).isNotEqualTo(secret);
                }
            }
        }
    }

    /** One share below the threshold is consistent with every secret: its y-value is uniform whatever the secret. */
    @Test
    void aLoneShareOfATwoOfTwoSplitIsUniformWhateverTheSecret() {
        int[] seenForZero = new int[256];
        int[] seenForOnes = new int[256];
        for (int i = 0; i < 256 * 200; i++) {
            seenForZero[Shamir.split(new byte[] {0x00}, 2, 2).getFirst()[0] & 0xff]++;
            seenForOnes[Shamir.split(new byte[] {(byte) 0xff}, 2, 2).getFirst()[0] & 0xff]++;
        }
        // 200 expected per value; a value missing or above 400 would mean the share leaks the secret.
        for (int[] seen : List.of(seenForZero, seenForOnes)) {
            assertThat(IntStream.of(seen).min().orElseThrow()).isGreaterThanOrEqualTo(100);
            assertThat(IntStream.of(seen).max().orElseThrow()).isLessThanOrEqualTo(400);
        }
    }

    @Test
    void coordinatesAreDistinctAndNonZeroUpToTheMostParts() {
        List<byte[]> shares = Shamir.split(new byte[] {1, 2, 3}, Shamir.MAX_PARTS, 3);
        assertThat(shares.stream().map(share -> share[3] & 0xff).distinct()).hasSize(Shamir.MAX_PARTS).doesNotContain(0);
        assertThat(Shamir.combine(shares)).containsExactly(1, 2, 3);
    }

    @Test
    void badSplitsAndShareSetsAreRefusedWithoutShowingWhatTheyHold() {
        byte[] secret = HEX.parseHex("cafebabe");
        assertThatThrownBy(() -> Shamir.split(secret, 5, 1)).hasMessageContaining("threshold 1, parts 5");
        assertThatThrownBy(() -> Shamir.split(secret, 3, 4)).hasMessageContaining("threshold 4, parts 3");
        assertThatThrownBy(() -> Shamir.split(secret, 256, 3)).hasMessageContaining("parts 256");
        assertThatThrownBy(() -> Shamir.split(new byte[0], 3, 2)).hasMessage("the secret to split is empty");

        List<byte[]> shares = Shamir.split(secret, 3, 2);
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.getFirst()))).hasMessage("at least two shares are needed");
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.get(0), shares.get(0).clone())))
                .hasMessage("the same share was given twice");
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.get(0), Shamir.split(new byte[] {1}, 2, 2).get(1))))
                .hasMessageContaining("differ in length");
        byte[] noCoordinate = shares.get(1).clone();
        noCoordinate[noCoordinate.length - 1] = 0;
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.get(0), noCoordinate))).hasMessage("a share has no coordinate");
    }

    @Test
    void theSameSecretSplitsDifferentlyEachTime() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        assertThat(Shamir.split(secret, 3, 2).getFirst()).isNotEqualTo(Shamir.split(secret, 3, 2).getFirst());
    }

    private static List<byte[]> pick(List<byte[]> shares, int count, Random random) {
        List<byte[]> pool = new ArrayList<>(shares);
        List<byte[]> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picked.add(pool.remove(random.nextInt(pool.size())));
        }
        return picked;
    }
}
