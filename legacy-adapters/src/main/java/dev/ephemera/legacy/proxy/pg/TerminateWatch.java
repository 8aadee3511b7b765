package dev.ephemera.legacy.proxy.pg;

/**
 * Follows message boundaries in the client's stream (type byte and length word; bodies are skipped
 * by arithmetic, never read) to see the Terminate message that ends a session politely, so that the
 * session ends as "client closed" even when the upstream's own close is noticed first.
 */
final class TerminateWatch {
    private static final int HEADER = 5;
    private static final byte TERMINATE = 'X';

    private int headerSeen;
    private byte type;
    private int length;
    private long bodyLeft;

    /** Scans a chunk of the client's stream; true once it holds the header of a Terminate message. */
    boolean terminates(byte[] chunk, int length) {
        int at = 0;
        while (at < length) {
            if (bodyLeft > 0) {
                int skip = (int) Math.min(bodyLeft, length - at);
                at += skip;
                bodyLeft -= skip;
                continue;
            }
            byte next = chunk[at++];
            if (headerSeen == 0) {
                type = next;
                this.length = 0;
            } else {
                this.length = (this.length << 8) | (next & 0xff);
            }
            if (++headerSeen == HEADER) {
                headerSeen = 0;
                if (type == TERMINATE) {
                    return true;
                }
                bodyLeft = Math.max(0, this.length - 4);
            }
        }
        return false;
    }
}
