package dev.ephemera.legacy.proxy.http;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

/**
 * Blanks every form of a lease's secret out of what the upstream sends back, so an upstream that
 * echoes the request (debug endpoints, error pages, reflected headers) cannot hand it to the agent.
 */
final class Redactor {
    static final String MARK = "[redacted]";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);

    // Longest first: where one form contains another (a header value contains the raw secret), the
    // whole of the longer one goes.
    private final List<String> forms;
    private final byte[][] patterns;

    Redactor(List<String> forms) {
        this.forms = forms.stream()
                .filter(s -> !s.isEmpty())
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        this.patterns = this.forms.stream()
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                .sorted(Comparator.comparingInt((byte[] b) -> b.length).reversed())
                .toArray(byte[][]::new);
    }

    String redact(String headerValue) {
        String result = headerValue;
        for (String form : forms) {
            result = result.replace(form, MARK);
        }
        return result;
    }

    /** A stream that writes to {@code out} what it is given, redacted; closing it releases what it held back. */
    OutputStream filter(OutputStream out) {
        return patterns.length == 0 ? out : new RedactingOutputStream(out, patterns, MARK_BYTES);
    }
}
