package dev.ephemera.legacy.proxy.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Replaces every occurrence of any pattern with a mark while streaming. A match may span writes, so
 * the stream holds back a tail that could still begin one: never more than the longest pattern less
 * one byte. {@link #flush()} does not release that tail (it might be half a secret); {@link #close()}
 * does.
 */
final class RedactingOutputStream extends OutputStream {
    private static final byte[] NOTHING = new byte[0];

    private final OutputStream out;
    private final byte[][] patterns;
    private final byte[] mark;
    private byte[] held = NOTHING;
    private boolean closed;

    /** {@code patterns} longest first, none empty. */
    RedactingOutputStream(OutputStream out, byte[][] patterns, byte[] mark) {
        this.out = out;
        this.patterns = patterns;
        this.mark = mark;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        byte[] buf = Arrays.copyOf(held, held.length + len);
        System.arraycopy(b, off, buf, held.length, len);
        int keepFrom = scan(buf, false);
        held = keepFrom == buf.length ? NOTHING : Arrays.copyOfRange(buf, keepFrom, buf.length);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            scan(held, true);
            held = NOTHING;
        } finally {
            out.close();
        }
    }

    /**
     * Writes {@code buf} out, redacted, up to where a pattern might still complete with bytes not yet
     * seen (unless {@code last}); returns where that held-back tail starts.
     */
    private int scan(byte[] buf, boolean last) throws IOException {
        int n = buf.length;
        int literal = 0;
        int i = 0;
        next:
        while (i < n) {
            for (byte[] p : patterns) {
                if (buf[i] != p[0]) {
                    continue;
                }
                int available = n - i;
                if (available >= p.length) {
                    if (Arrays.equals(buf, i, i + p.length, p, 0, p.length)) {
                        out.write(buf, literal, i - literal);
                        out.write(mark);
                        i += p.length;
                        literal = i;
                        continue next;
                    }
                } else if (!last && Arrays.equals(buf, i, n, p, 0, available)) {
                    // A longer pattern may still complete here: wait rather than redact a shorter one inside it.
                    out.write(buf, literal, i - literal);
                    return i;
                }
            }
            i++;
        }
        out.write(buf, literal, n - literal);
        return n;
    }
}
