package dev.ephemera.crypto;

/**
 * Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (FIPS-197
 * section 4). Shares of the root key pass through here, so nothing branches on or indexes by a
 * value: multiplication shifts and masks through all eight bits, and the inverse is a fixed chain
 * of multiplications, both taking the same time for every input.
 */
final class Gf256 {
    private Gf256() {
    }

    static int add(int a, int b) {
        return (a ^ b) & 0xff;
    }

    static int multiply(int a, int b) {
        int product = 0;
        for (int bit = 0; bit < 8; bit++) {
            product ^= a & -(b & 1);            // add a when the low bit of b is set, without a branch
            int overflow = -((a >> 7) & 1);     // all ones when a's top bit is set
            a = ((a << 1) ^ (0x1b & overflow)) & 0xff;
            b >>= 1;
        }
        return product & 0xff;
    }

    /** a^254, which is a^-1 for every non-zero a (a^255 = 1); 0 for 0, which callers never divide by. */
    static int inverse(int a) {
        int a2 = multiply(a, a);
        int a3 = multiply(a2, a);
        int a6 = multiply(a3, a3);
        int a12 = multiply(a6, a6);
        int a15 = multiply(a12, a3);
        int a30 = multiply(a15, a15);
        int a60 = multiply(a30, a30);
        int a120 = multiply(a60, a60);
        int a127 = multiply(a120, multiply(a6, a));
        return multiply(a127, a127);
    }
}
