package dev.ephemera.legacy.proxy.pg;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * The few PostgreSQL v3 messages the proxy itself reads or writes
 * (https://www.postgresql.org/docs/current/protocol-message-formats.html). Everything after login
 * is relayed as bytes and never parsed.
 */
final class PgWire {
    static final int PROTOCOL_3_0 = 3 << 16;
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;

    static final byte AUTHENTICATION = 'R';
    static final byte ERROR_RESPONSE = 'E';
    static final byte NOTICE_RESPONSE = 'N';
    static final byte BACKEND_KEY_DATA = 'K';
    static final byte READY_FOR_QUERY = 'Z';
    static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
    static final byte PASSWORD = 'p';
    static final byte QUERY = 'Q';

    static final int AUTH_OK = 0;
    static final int AUTH_CLEARTEXT = 3;
    static final int AUTH_MD5 = 5;
    static final int AUTH_SASL = 10;
    static final int AUTH_SASL_CONTINUE = 11;
    static final int AUTH_SASL_FINAL = 12;

    private PgWire() {
    }

    /** A typed message: its type byte and the body after the length word. */
    record Message(byte type, byte[] body) {
        Body reader() {
            return new Body(ByteBuffer.wrap(body));
        }

        byte[] encoded() {
            return new Builder(type).bytes(body).build();
        }
    }

    /**
     * Reads one typed message whose body may not exceed {@code maxBody} bytes, so that a peer
     * cannot make the proxy allocate what it declares.
     */
    static Message read(InputStream in, int maxBody) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 4 || length - 4 > maxBody) {
            throw new PgProtocolException("message '" + (char) type + "' of " + length + " bytes is out of bounds");
        }
        byte[] body = new byte[length - 4];
        data.readFully(body);
        return new Message((byte) type, body);
    }

    static byte[] errorResponse(String sqlState, String message) {
        return new Builder(ERROR_RESPONSE)
                .byte1('S').cstring("FATAL")
                .byte1('V').cstring("FATAL")
                .byte1('C').cstring(sqlState)
                .byte1('M').cstring(message)
                .byte1(0).build();
    }

    static byte[] authentication(int code) {
        return new Builder(AUTHENTICATION).int32(code).build();
    }

    /** Tells a client asking for a newer 3.x minor (or protocol options) that it gets plain 3.0. */
    static byte[] negotiateProtocolVersion(Collection<String> unrecognizedOptions) {
        Builder builder = new Builder(NEGOTIATE_PROTOCOL_VERSION).int32(PROTOCOL_3_0).int32(unrecognizedOptions.size());
        unrecognizedOptions.forEach(builder::cstring);
        return builder.build();
    }

    static byte[] startupMessage(Map<String, String> parameters) {
        Builder builder = new Builder().int32(PROTOCOL_3_0);
        parameters.forEach((name, value) -> builder.cstring(name).cstring(value));
        return builder.byte1(0).build();
    }

    static byte[] sslRequest() {
        return new Builder().int32(SSL_REQUEST).build();
    }

    static byte[] cancelRequest(CancelKey key) {
        return new Builder().int32(CANCEL_REQUEST).int32(key.processId()).int32(key.secret()).build();
    }

    /** A simple Query: the proxy's own statements only, never a client's. */
    static byte[] query(String sql) {
        return new Builder(QUERY).cstring(sql).build();
    }

    static byte[] saslInitialResponse(String mechanism, byte[] data) {
        return new Builder(PASSWORD).cstring(mechanism).int32(data.length).bytes(data).build();
    }

    static byte[] saslResponse(byte[] data) {
        return new Builder(PASSWORD).bytes(data).build();
    }

    static void send(OutputStream out, byte[] message) throws IOException {
        out.write(message);
        out.flush();
    }

    /** The backend's key for cancelling this session's queries (protocol 3.0: two 32-bit words). */
    record CancelKey(int processId, int secret) {
        @Override
        public String toString() {
            return "CancelKey[processId=" + processId + "]";
        }
    }

    /** Reads fields out of a message body; running past its end is a protocol violation. */
    static final class Body {
        private final ByteBuffer buffer;

        Body(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        int int32() throws PgProtocolException {
            if (buffer.remaining() < 4) {
                throw new PgProtocolException("message ends inside an integer");
            }
            return buffer.getInt();
        }

        int byte1() throws PgProtocolException {
            if (!buffer.hasRemaining()) {
                throw new PgProtocolException("message ends early");
            }
            return buffer.get();
        }

        String cstring() throws PgProtocolException {
            int start = buffer.position();
            for (int i = start; i < buffer.limit(); i++) {
                if (buffer.get(i) == 0) {
                    String value = new String(buffer.array(), start, i - start, StandardCharsets.UTF_8);
                    buffer.position(i + 1);
                    return value;
                }
            }
            throw new PgProtocolException("string not terminated");
        }

        byte[] rest() {
            byte[] rest = new byte[buffer.remaining()];
            buffer.get(rest);
            return rest;
        }
    }

    /** Builds one message, typed or (startup-phase packets) untyped, and fills in its length. */
    private static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        private final int lengthAt;

        Builder(byte type) {
            out.write(type);
            lengthAt = 1;
            int32(0);
        }

        Builder() {
            lengthAt = 0;
            int32(0);
        }

        Builder byte1(int value) {
            out.write(value);
            return this;
        }

        Builder int32(int value) {
            out.write(value >>> 24);
            out.write(value >>> 16);
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder cstring(String value) {
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        Builder bytes(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        byte[] build() {
            byte[] message = out.toByteArray();
            ByteBuffer.wrap(message).putInt(lengthAt, message.length - lengthAt);
            return message;
        }
    }
}
