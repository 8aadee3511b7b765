package dev.ephemera.server.domain.backend;

import dev.ephemera.legacy.postgres.PostgresQuoting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL statement with placeholders that are always rendered quoted: {@code {{name}}} as an
 * identifier, {@code {{name_literal}}}, {@code {{password}}} and {@code {{expiration}}} as string
 * literals ({@link PostgresQuoting}). Template authors never write quotes, so a value can never be
 * concatenated into SQL. Rendered statements must run where {@link PostgresQuoting#requireStandardStrings}
 * holds.
 */
public final class SqlTemplate {
    public static final Set<String> PLACEHOLDERS = Set.of("name", "name_literal", "password", "expiration");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*}}");

    private final String text;

    private SqlTemplate(String text) {
        this.text = text;
    }

    /** Rejects unknown placeholders and quoted ones up front, when the role is configured. */
    public static SqlTemplate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a statement is empty");
        }
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new IllegalArgumentException("unknown placeholder {{" + m.group(1) + "}}; known: "
                        + PLACEHOLDERS.stream().sorted().toList());
            }
            char before = m.start() > 0 ? text.charAt(m.start() - 1) : ' ';
            if (before == '"' || before == '\'') {
                throw new IllegalArgumentException("do not quote {{" + m.group(1) + "}}: placeholders are quoted for you");
            }
        }
        return new SqlTemplate(text);
    }

    public static List<SqlTemplate> parseAll(List<String> statements) {
        List<SqlTemplate> templates = new ArrayList<>();
        for (String statement : statements) {
            templates.add(parse(statement));
        }
        return templates;
    }

    public String render(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String placeholder = m.group(1);
            String value = values.get(placeholder.equals("name_literal") ? "name" : placeholder);
            if (value == null) {
                throw new IllegalArgumentException("no value for {{" + placeholder + "}}");
            }
            String quoted = placeholder.equals("name") ? PostgresQuoting.identifier(value) : PostgresQuoting.literal(value);
            m.appendReplacement(out, Matcher.quoteReplacement(quoted));
        }
        m.appendTail(out);
        return out.toString();
    }
}
