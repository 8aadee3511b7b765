package dev.ephemera.legacy.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.BaseConnection;

/**
 * The one way the vault puts a name or a value into PostgreSQL SQL text: identifiers always
 * double-quoted, literals as standard strings, each exact or refused. Quoting in Java (rather than
 * asking the server's {@code format()}) lets a statement be rendered before any connection is taken,
 * so a batch of revocations costs no extra round trips.
 *
 * <p>A standard string keeps backslashes as they are only while {@code standard_conforming_strings}
 * is on; {@link #requireStandardStrings} makes it so on the connection that runs the statement.
 */
public final class PostgresQuoting {
    /** NAMEDATALEN - 1: PostgreSQL silently truncates a longer name, so a longer one is refused here. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private PostgresQuoting() {
    }

    /** {@code "name"} with every {@code "} doubled: any text PostgreSQL can store as a name, and nothing else. */
    public static String identifier(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a PostgreSQL name is empty");
        }
        requireStorable(name, "a PostgreSQL name");
        // Counted in UTF-8, the client encoding the JDBC driver always uses.
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("a PostgreSQL name is " + bytes + " bytes long; at most "
                    + MAX_IDENTIFIER_BYTES + " are kept");
        }
        return quote(name, '"');
    }

    /** {@code 'value'} with every {@code '} doubled; backslashes stay as written (no E prefix). */
    public static String literal(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a SQL value is missing");
        }
        requireStorable(value, "a SQL value");
        return quote(value, '\'');
    }

    /**
     * Turns {@code standard_conforming_strings} on if this session has it off (a role or database
     * setting, or an earlier statement on a pooled connection). The driver tracks the server's
     * report of the setting, so the usual case costs no round trip.
     */
    public static void requireStandardStrings(Connection connection) throws SQLException {
        if (standardStrings(connection)) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET standard_conforming_strings = on");
        }
        if (!standardStrings(connection)) {
            throw new SQLException("the session keeps standard_conforming_strings off; quoted values would be misread");
        }
    }

    private static boolean standardStrings(Connection connection) throws SQLException {
        if (connection.isWrapperFor(BaseConnection.class)) {
            return connection.unwrap(BaseConnection.class).getStandardConformingStrings();
        }
        try (Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SHOW standard_conforming_strings")) {
            return rows.next() && "on".equalsIgnoreCase(rows.getString(1));
        }
    }

    private static String quote(String text, char quote) {
        StringBuilder out = new StringBuilder(text.length() + 8).append(quote);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote) {
                out.append(quote);
            }
            out.append(c);
        }
        return out.append(quote).toString();
    }

    /** PostgreSQL text cannot hold NUL, and a lone surrogate would reach the server as '?'. */
    private static void requireStorable(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException(what + " contains a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired surrogate");
            }
        }
    }
}
