package dev.ephemera.legacy.proxy.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Copies one direction of a relayed session as raw bytes. A read takes whatever has arrived (up to
 * 64 KiB), so a request or a result set crosses in one write and a lone small message is written at
 * once: no flush timer, no message parsing.
 */
final class Pump implements Runnable {
    private final InputStream in;
    private final OutputStream out;
    private final String sourceClosed;
    private final String sinkClosed;
    private final boolean drainDecrypted;
    private final Consumer<String> ended;
    private final TerminateWatch terminateWatch;
    private long bytes;

    /**
     * @param sourceClosed the end reason when the source stops sending
     * @param sinkClosed the end reason when the sink stops taking
     * @param drainDecrypted whether the source is TLS, whose {@code available()} counts decrypted
     *     bytes at no cost (on a plain socket it is one more system call per read, for nothing)
     * @param ended told why the pump stopped, so that the session closes the other direction too
     * @param terminateWatch on the client's direction: stop (source closed) once its Terminate is
     *     forwarded; null on the upstream's
     */
    Pump(InputStream in, OutputStream out, String sourceClosed, String sinkClosed, boolean drainDecrypted, Consumer<String> ended,
         TerminateWatch terminateWatch) {
        this.in = in;
        this.out = out;
        this.sourceClosed = sourceClosed;
        this.sinkClosed = sinkClosed;
        this.drainDecrypted = drainDecrypted;
        this.ended = ended;
        this.terminateWatch = terminateWatch;
    }

    @Override
    public void run() {
        ended.accept(copy());
    }

    /** Bytes relayed; read it after the pump's thread has ended. */
    long bytes() {
        return bytes;
    }

    private String copy() {
        byte[] buffer = new byte[UpstreamLogin.BUFFER];
        while (true) {
            int filled;
            try {
                filled = in.read(buffer, 0, buffer.length);
                // Decrypted bytes still buffered (TLS records read in one go) join this write.
                while (drainDecrypted && filled > 0 && filled < buffer.length && in.available() > 0) {
                    int more = in.read(buffer, filled, buffer.length - filled);
                    if (more < 0) {
                        break;
                    }
                    filled += more;
                }
            } catch (IOException e) {
                return e instanceof SSLException ? PgSession.END_ERROR : sourceClosed;
            }
            if (filled < 0) {
                return sourceClosed;
            }
            try {
                out.write(buffer, 0, filled);
            } catch (IOException e) {
                return e instanceof SSLException ? PgSession.END_ERROR : sinkClosed;
            }
            bytes += filled;
            if (terminateWatch != null && terminateWatch.terminates(buffer, filled)) {
                return sourceClosed;
            }
        }
    }
}
