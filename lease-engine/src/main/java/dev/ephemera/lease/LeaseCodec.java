package dev.ephemera.lease;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The stored form of a lease: a version byte and the fields in a fixed order. Several times cheaper
 * to write and read than JSON, which matters when a storm rewrites a million leases and recovery
 * reads ten million. Version 1 layout: id, tenant?, agentId?, taskId?, backend, role, handle (count,
 * then key/value pairs), state, issuedAt, expiresAt, maxExpiresAt (each seconds + nanos),
 * revocationAttempts, lastError? — where {@code ?} marks a presence byte before the value.
 */
final class LeaseCodec {
    static final byte VERSION = 1;
    /** Longer backend errors are cut: the record is read on every revocation attempt. */
    static final int MAX_ERROR_LENGTH = 2_000;
    private static final LeaseState[] STATES = LeaseState.values();

    private LeaseCodec() {
    }

    static byte[] encode(Lease lease) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(lease.id());
            writeOptional(out, lease.tenant());
            writeOptional(out, lease.agentId());
            writeOptional(out, lease.taskId());
            out.writeUTF(lease.backend());
            out.writeUTF(lease.role());
            out.writeShort(lease.handle().size());
            for (Map.Entry<String, String> entry : lease.handle().entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeUTF(entry.getValue());
            }
            out.writeByte(lease.state().ordinal());
            writeInstant(out, lease.issuedAt());
            writeInstant(out, lease.expiresAt());
            writeInstant(out, lease.maxExpiresAt());
            out.writeInt(lease.revocationAttempts());
            String error = lease.lastError();
            writeOptional(out, error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a version-1 record; throws {@link IOException} for anything else. */
    static Lease decode(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        if (in.readByte() != VERSION) {
            throw new IOException("unknown lease record version " + record[0]);
        }
        String id = in.readUTF();
        String tenant = readOptional(in);
        String agentId = readOptional(in);
        String taskId = readOptional(in);
        String backend = in.readUTF();
        String role = in.readUTF();
        int handleSize = in.readUnsignedShort();
        Map<String, String> handle = new HashMap<>(handleSize * 2);
        for (int i = 0; i < handleSize; i++) {
            handle.put(in.readUTF(), in.readUTF());
        }
        int state = in.readUnsignedByte();
        if (state >= STATES.length) {
            throw new IOException("unknown lease state " + state);
        }
        return new Lease(id, tenant, agentId, taskId, backend, role, handle, STATES[state], readInstant(in),
                readInstant(in), readInstant(in), in.readInt(), readOptional(in));
    }

    private static void writeOptional(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }
}
