package dev.ephemera.server.domain.policy;

import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.schema.Schema;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Cedar schema every tenant's policies are validated against ({@code policy/ephemera.cedarschema}). */
@Singleton
public final class PolicySchema {
    static final String RESOURCE = "/policy/ephemera.cedarschema";
    private final String text;
    private final Schema schema;

    public PolicySchema() {
        try (InputStream in = PolicySchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + RESOURCE);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            schema = Schema.parse(Schema.JsonOrCedar.Cedar, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InternalException e) {
            throw new IllegalStateException("the built-in Cedar schema does not parse", e);
        }
    }

    public String text() {
        return text;
    }

    Schema schema() {
        return schema;
    }
}
