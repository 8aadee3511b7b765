package dev.ephemera.server.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A client that sends a request head one byte at a time, as slowly as a slowloris does. */
public final class SlowClient {
    private SlowClient() {
    }

    /**
     * Dribbles {@code head} (repeating its last header line for as long as it takes) one byte every
     * {@code pace} until the server ends the connection; returns how long that took, or fails if the
     * server still holds it after {@code limit}.
     */
    public static Duration timeUntilCut(int port, String head, Duration pace, Duration limit) throws IOException {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) pace.toMillis());
            OutputStream out = socket.getOutputStream();
            for (int sent = 0; System.nanoTime() - start < limit.toNanos(); sent++) {
                try {
                    out.write(bytes[Math.min(sent, bytes.length - 1)]);
                    out.flush();
                    if (socket.getInputStream().read() < 0) {
                        return Duration.ofNanos(System.nanoTime() - start);
                    }
                    throw new AssertionError("the server answered a request head that is not complete");
                } catch (SocketTimeoutException stillOpen) {
                    // the server waits for more: send the next byte
                } catch (SocketException reset) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            }
        }
        throw new AssertionError("the server still held a connection dribbling its request head after " + limit.toSeconds() + " s");
    }
}
