package dev.ephemera.crypto;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shamir's secret sharing over GF(2^8), byte by byte: {@link #split} hides a secret in {@code parts}
 * shares of which any {@code threshold} recover it with {@link #combine}, and fewer say nothing
 * about it (each byte of the secret is the constant term of its own random polynomial of degree
 * {@code threshold - 1}). A share is the secret's length in y-values followed by one byte, its x
 * coordinate (1 to 255, distinct within a split). Fewer shares than the threshold combine into a
 * wrong value rather than an error: the caller learns that when the value does not unwrap the key
 * it guards.
 */
public final class Shamir {
    public static final int MAX_PARTS = 255;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Shamir() {
    }

    public static List<byte[]> split(byte[] secret, int parts, int threshold) {
        return split(secret, parts, threshold, RANDOM);
    }

    static List<byte[]> split(byte[] secret, int parts, int threshold, SecureRandom random) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("the secret to split is empty");
        }
        if (threshold < 2 || threshold > parts || parts > MAX_PARTS) {
            throw new IllegalArgumentException("shares must satisfy 2 <= threshold <= parts <= " + MAX_PARTS
                    + " (threshold " + threshold + ", parts " + parts + ")");
        }
        int[] xs = distinctCoordinates(parts, random);
        List<byte[]> shares = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            byte[] share = new byte[secret.length + 1];
            share[secret.length] = (byte) xs[i];
            shares.add(share);
        }
        int[] coefficients = new int[threshold];
        byte[] randomness = new byte[threshold - 1];
        for (int position = 0; position < secret.length; position++) {
            coefficients[0] = secret[position] & 0xff;
            random.nextBytes(randomness);
            for (int c = 1; c < threshold; c++) {
                coefficients[c] = randomness[c - 1] & 0xff;
            }
            for (int i = 0; i < parts; i++) {
                shares.get(i)[position] = (byte) evaluate(coefficients, xs[i]);
            }
        }
        Arrays.fill(coefficients, 0);
        Arrays.fill(randomness, (byte) 0);
        return shares;
    }

    /** Interpolates the shares' polynomials at zero. Needs at least the threshold's count of shares to be right. */
    public static byte[] combine(List<byte[]> shares) {
        if (shares == null || shares.size() < 2) {
            throw new IllegalArgumentException("at least two shares are needed");
        }
        int length = shares.getFirst().length;
        if (length < 2) {
            throw new IllegalArgumentException("a share is too short to hold a value and its coordinate");
        }
        int[] xs = new int[shares.size()];
        boolean[] seen = new boolean[256];
        for (int i = 0; i < xs.length; i++) {
            byte[] share = shares.get(i);
            if (share == null || share.length != length) {
                throw new IllegalArgumentException("shares differ in length: they come from different splits");
            }
            xs[i] = share[length - 1] & 0xff;
            if (xs[i] == 0 || seen[xs[i]]) {
                throw new IllegalArgumentException(xs[i] == 0 ? "a share has no coordinate" : "the same share was given twice");
            }
            seen[xs[i]] = true;
        }
        int[] basis = basisAtZero(xs);
        byte[] secret = new byte[length - 1];
        for (int position = 0; position < secret.length; position++) {
            int value = 0;
            for (int i = 0; i < xs.length; i++) {
                value = Gf256.add(value, Gf256.multiply(shares.get(i)[position] & 0xff, basis[i]));
            }
            secret[position] = (byte) value;
        }
        return secret;
    }

    /** Lagrange basis polynomials at x = 0: the weight of each share's value in the secret. */
    private static int[] basisAtZero(int[] xs) {
        int[] basis = new int[xs.length];
        for (int j = 0; j < xs.length; j++) {
            int numerator = 1;
            int denominator = 1;
            for (int m = 0; m < xs.length; m++) {
                if (m != j) {
                    numerator = Gf256.multiply(numerator, xs[m]);
                    denominator = Gf256.multiply(denominator, Gf256.add(xs[m], xs[j]));
                }
            }
            basis[j] = Gf256.multiply(numerator, Gf256.inverse(denominator));
        }
        return basis;
    }

    /** Horner's rule. */
    private static int evaluate(int[] coefficients, int x) {
        int value = 0;
        for (int c = coefficients.length - 1; c >= 0; c--) {
            value = Gf256.add(Gf256.multiply(value, x), coefficients[c]);
        }
        return value;
    }

    /** {@code count} distinct coordinates from 1 to 255, in random order (a partial Fisher–Yates shuffle). */
    private static int[] distinctCoordinates(int count, SecureRandom random) {
        int[] all = new int[MAX_PARTS];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.length - i);
            int swap = all[i];
            all[i] = all[j];
            all[j] = swap;
        }
        return Arrays.copyOf(all, count);
    }
}
