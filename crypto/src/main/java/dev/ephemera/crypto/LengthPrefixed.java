package dev.ephemera.crypto;

import java.nio.ByteBuffer;

/** Reads fields of a keyring's bytes with every length checked: a short or inflated field is corruption, never an index error. */
final class LengthPrefixed {
    private final ByteBuffer in;

    LengthPrefixed(byte[] bytes, int offset) {
        this.in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
    }

    static byte[] join(byte[]... fields) {
        int length = 0;
        for (byte[] field : fields) {
            length += Integer.BYTES + field.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] field : fields) {
            out.putInt(field.length).put(field);
        }
        return out.array();
    }

    byte[] fixed(int length, String what) {
        if (length > in.remaining()) {
            throw KeyringException.corrupt(what + " is truncated");
        }
        byte[] field = new byte[length];
        in.get(field);
        return field;
    }

    byte[] next(String what) {
        if (in.remaining() < Integer.BYTES) {
            throw KeyringException.corrupt(what + " is missing");
        }
        int length = in.getInt();
        if (length < 0) {
            throw KeyringException.corrupt(what + " has a negative length");
        }
        return fixed(length, what);
    }

    void end() {
        if (in.hasRemaining()) {
            throw KeyringException.corrupt("trailing bytes after the keysets");
        }
    }
}
