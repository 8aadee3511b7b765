package dev.ephemera.legacy.proxy.pg;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The untyped first packets a client may send: what it asks for before any typed message. */
sealed interface StartupPacket {
    /** PostgreSQL itself caps startup packets at 10,000 bytes. */
    int MAX_LENGTH = 10_000;

    record SslRequest() implements StartupPacket {
    }

    record GssEncRequest() implements StartupPacket {
    }

    record CancelRequest(PgWire.CancelKey key) implements StartupPacket {
    }

    /** A cancel key of another shape (protocol 3.2's longer keys): the proxy never issued one. */
    record ForeignCancelRequest() implements StartupPacket {
    }

    /** A StartupMessage: its 3.x minor version and parameters in the order sent. */
    record Startup(int minorVersion, Map<String, String> parameters) implements StartupPacket {
        public Startup {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    static StartupPacket read(InputStream in) throws IOException, PgRefusal {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 8 || length > MAX_LENGTH) {
            throw new PgRefusal("08P01", "invalid startup packet length", "startup packet of " + length + " bytes");
        }
        int code = data.readInt();
        byte[] body = new byte[length - 8];
        data.readFully(body);
        return switch (code) {
            case PgWire.SSL_REQUEST -> new SslRequest();
            case PgWire.GSSENC_REQUEST -> new GssEncRequest();
            case PgWire.CANCEL_REQUEST -> body.length == 8
                    ? new CancelRequest(new PgWire.CancelKey(ByteBuffer.wrap(body).getInt(0), ByteBuffer.wrap(body).getInt(4)))
                    : new ForeignCancelRequest();
            default -> startup(code, body);
        };
    }

    private static Startup startup(int version, byte[] body) throws PgRefusal {
        if (version >>> 16 != 3) {
            throw new PgRefusal("0A000", "unsupported frontend protocol " + (version >>> 16) + "." + (version & 0xffff),
                    "protocol version " + version);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        PgWire.Body reader = new PgWire.Body(ByteBuffer.wrap(body));
        try {
            while (true) {
                String name = reader.cstring();
                if (name.isEmpty()) {
                    break;
                }
                parameters.put(name, reader.cstring());
            }
        } catch (PgProtocolException e) {
            throw new PgRefusal("08P01", "invalid startup packet layout", "startup packet: " + e.getMessage());
        }
        return new Startup(version & 0xffff, parameters);
    }
}
