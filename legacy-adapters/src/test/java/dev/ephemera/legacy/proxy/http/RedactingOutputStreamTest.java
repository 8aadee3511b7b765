package dev.ephemera.legacy.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedactingOutputStreamTest {
    private static final String SECRET = "s3cr3t";
    private static final Redactor REDACTOR = new Redactor(List.of(SECRET, "Bearer " + SECRET, "czNjcjN0"));

    @Test
    void aSecretSplitAtEveryPossiblePointIsStillRedacted() throws IOException {
        String text = "before Bearer s3cr3t middle s3cr3t czNjcjN0 after s3cr";
        String expected = "before [redacted] middle [redacted] [redacted] after s3cr";
        for (int cut = 0; cut <= text.length(); cut++) {
            for (int cut2 = cut; cut2 <= text.length(); cut2++) {
                assertThat(redact(text.substring(0, cut), text.substring(cut, cut2), text.substring(cut2)))
                        .as("cut at %d and %d", cut, cut2)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void theLongerFormWinsEvenWhenTheShorterCompletesFirst() throws IOException {
        assertThat(redact("Bearer s3c", "r3t!")).isEqualTo("[redacted]!");
        assertThat(redact("Bearer ", "s3cr3t")).isEqualTo("[redacted]");
        assertThat(redact("Bearer x s3cr3t")).isEqualTo("Bearer x [redacted]");
    }

    @Test
    void holdsBackNoMoreThanTheLongestFormLessOneByte() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = REDACTOR.filter(sink);
        String text = "x".repeat(100) + "Bearer s3cr3";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(sink.size()).isEqualTo(100);

        out.write("plain".getBytes(StandardCharsets.UTF_8));
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("x".repeat(100) + "Bearer s3cr3plain");

        out.write("Bea".getBytes(StandardCharsets.UTF_8));
        out.close();
        assertThat(sink.toString(StandardCharsets.UTF_8)).endsWith("plainBea");
    }

    @Test
    void streamingInRandomPiecesMatchesRedactingTheWhole() throws IOException {
        Random random = new Random(42);
        String alphabet = "s3crtBea ";
        for (int round = 0; round < 500; round++) {
            StringBuilder text = new StringBuilder();
            while (text.length() < 200) {
                text.append(random.nextInt(8) == 0 ? SECRET : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
            }
            String whole = redact(text.toString());
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (OutputStream out = REDACTOR.filter(sink)) {
                byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                for (int at = 0; at < bytes.length; ) {
                    int n = Math.min(1 + random.nextInt(9), bytes.length - at);
                    out.write(bytes, at, n);
                    at += n;
                }
            }
            assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(whole).doesNotContain(SECRET);
        }
    }

    @Test
    void headerValuesLoseEveryForm() {
        assertThat(REDACTOR.redact("echo: Bearer s3cr3t and s3cr3t")).isEqualTo("echo: [redacted] and [redacted]");
    }

    private static String redact(String... pieces) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = REDACTOR.filter(sink)) {
            for (String piece : pieces) {
                out.write(piece.getBytes(StandardCharsets.UTF_8));
            }
        }
        return sink.toString(StandardCharsets.UTF_8);
    }
}
