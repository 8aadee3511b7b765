package dev.ephemera.legacy.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TerminateWatchTest {
    @Test
    void aTerminateIsSeenOnlyAtAMessageBoundaryEvenWhenChunksSplitHeaders() {
        byte[] query = message('Q', "SELECT 'X'\0".getBytes());
        byte[] copy = message('d', new byte[] {'X', 0, 0, 0, 4});
        byte[] terminate = message('X', new byte[0]);
        byte[] stream = ByteBuffer.allocate(query.length + copy.length + terminate.length).put(query).put(copy).put(terminate).array();

        for (int split = 1; split < stream.length; split++) {
            TerminateWatch watch = new TerminateWatch();
            boolean first = watch.terminates(stream, split);
            byte[] rest = new byte[stream.length - split];
            System.arraycopy(stream, split, rest, 0, rest.length);
            assertThat(first).as("split at %d", split).isFalse();
            assertThat(watch.terminates(rest, rest.length)).as("split at %d", split).isTrue();
        }
        assertThat(new TerminateWatch().terminates(stream, query.length + copy.length)).isFalse();
    }

    private static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }
}
