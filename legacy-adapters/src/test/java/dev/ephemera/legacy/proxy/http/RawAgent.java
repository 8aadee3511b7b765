package dev.ephemera.legacy.proxy.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** An agent speaking HTTP/1.1 over a bare socket, so tests can send what a well-behaved client will not. */
final class RawAgent {
    private RawAgent() {
    }

    /** A response as it came off the wire, and its body with any chunking undone. */
    record Response(int status, String head, byte[] wire, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String wireText() {
            return new String(wire, StandardCharsets.ISO_8859_1);
        }
    }

    /** Sends {@code head} (request line and headers; CRLFs and the blank line are added) and {@code body}. */
    static Response send(int port, String head, byte[] body) throws IOException {
        try (Socket socket = open(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(head));
            out.write(body);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    static Response send(int port, String head) throws IOException {
        return send(port, head, new byte[0]);
    }

    static Socket open(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** The JDK server honours only a first Connection header of exactly {@code close}, so that goes first. */
    static byte[] request(String head) {
        int lineEnd = head.indexOf('\n');
        String requestLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
        String headers = lineEnd < 0 ? "" : head.substring(lineEnd);
        return (requestLine + "\nConnection: close" + headers + "\n\n").replace("\n", "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static Response parse(byte[] wire) {
        String all = new String(wire, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("no complete response head in: " + all);
        }
        String head = all.substring(0, end);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        byte[] rest = Arrays.copyOfRange(wire, end + 4, wire.length);
        boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        return new Response(status, head, wire, chunked ? dechunk(rest) : rest);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(chunked, at);
            int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return body.toByteArray();
            }
            body.write(chunked, at, size);
            at += size + 2;
        }
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("chunked body ends without its last chunk");
    }

    static byte[] readSome(InputStream in, String until) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.ISO_8859_1).contains(until)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection ended before " + until + ": " + seen);
            }
            seen.write(b);
        }
        return seen.toByteArray();
    }
}
