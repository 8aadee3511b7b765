package dev.ephemera.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one JSON encoding of records kept in the store. Instants are written as ISO-8601 text, which
 * an operator can read in a dump; records written earlier with numeric instants (seconds.nanos)
 * are still read, as are ones with fields a later version dropped.
 */
public final class StoredJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StoredJson() {
    }

    /** {@code what} names the record in the error, never its content (it may hold a secret). */
    public static byte[] encode(Object record, String what) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new StorageException("cannot encode " + what, e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type, String what) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new StorageException("corrupt " + what, e);
        }
    }
}
