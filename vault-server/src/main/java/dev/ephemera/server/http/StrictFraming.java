package dev.ephemera.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the framing of each HTTP/1.1 request on a connection, ahead of the HTTP decoder, and refuses
 * with 400 and a close what a proxy in front of the vault could frame differently (request
 * smuggling): both Content-Length and Transfer-Encoding, a Transfer-Encoding other than chunked, a
 * repeated or non-numeric Content-Length, obs-fold header lines (RFC 9112 §5.2, §6.1). Netty's own
 * decoder accepts these (it drops the Content-Length, joins folded lines), and once a request is
 * framed two ways the bytes after it are a second request only one side sees.
 *
 * <p>A header block reaches the decoder only once it is whole and checked; bodies pass through as
 * they arrive, measured by the same framing so the next header block is found.
 */
final class StrictFraming extends ChannelInboundHandlerAdapter {
    static final String NAME = "ephemera-strict-framing";
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_LINE = 4 * 1024;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, REFUSED }

    private State state = State.HEAD;
    private ByteBuf head;
    private final StringBuilder line = new StringBuilder();
    private int trailerBytes;
    private long remaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            int run = in.readerIndex(); // start of body bytes not yet passed on
            while (in.isReadable() && state != State.REFUSED) {
                if (state == State.HEAD) {
                    forward(ctx, in, run);
                    String refusal = readHead(ctx, in);
                    run = in.readerIndex();
                    if (refusal != null) {
                        refuse(ctx, refusal);
                    }
                } else {
                    String refusal = readBody(in);
                    if (refusal != null) {
                        forward(ctx, in, run, in.readerIndex() - 1);
                        run = in.readerIndex();
                        refuse(ctx, refusal);
                    }
                }
            }
            if (state != State.REFUSED) {
                forward(ctx, in, run);
            }
        } finally {
            in.release();
        }
    }

    private static void forward(ChannelHandlerContext ctx, ByteBuf in, int from) {
        forward(ctx, in, from, in.readerIndex());
    }

    private static void forward(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
        if (to > from) {
            ctx.fireChannelRead(in.retainedSlice(from, to - from));
        }
    }

    /** Gathers a header block; when it is whole, checks it and passes it on. A reason when refused. */
    private String readHead(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (head == null) {
                if (b == '\r' || b == '\n') {
                    continue; // empty lines before a request line are skipped (RFC 9112 §2.2), as the decoder does
                }
                head = ctx.alloc().buffer(512);
            }
            head.writeByte(b);
            if (head.readableBytes() > MAX_HEAD) {
                return "the request's header block is too large";
            }
            if (b == '\n' && endsHead(head)) {
                String refusal = check(head.toString(StandardCharsets.ISO_8859_1));
                if (refusal != null) {
                    return refusal;
                }
                ByteBuf whole = head;
                head = null;
                ctx.fireChannelRead(whole);
                return null;
            }
        }
        return null;
    }

    /** The block ends with an empty line: LF LF or LF CR LF. */
    private static boolean endsHead(ByteBuf head) {
        int end = head.writerIndex();
        return end >= 2 && head.getByte(end - 2) == '\n'
                || end >= 3 && head.getByte(end - 2) == '\r' && head.getByte(end - 3) == '\n';
    }

    /** Checks the request's framing and sets the state for its body; a reason when it is refused. */
    private String check(String block) {
        String[] lines = block.split("\n", -1);
        String contentLength = null;
        StringBuilder transferEncoding = null;
        for (int i = 1; i < lines.length; i++) {
            String header = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (header.isEmpty()) {
                break;
            }
            if (header.charAt(0) == ' ' || header.charAt(0) == '\t') {
                return "a header line starts with whitespace (obs-fold): each header goes on one line";
            }
            int colon = header.indexOf(':');
            if (colon <= 0 || header.substring(0, colon).matches(".*\\s.*")) {
                return "a header line is not of the form 'Name: value'";
            }
            String name = header.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                if (contentLength != null) {
                    return "Content-Length is given more than once";
                }
                contentLength = value;
            } else if (name.equals("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? new StringBuilder(value) : transferEncoding.append(',').append(value);
            }
        }
        if (transferEncoding != null && contentLength != null) {
            return "a request may not carry both Content-Length and Transfer-Encoding";
        }
        if (transferEncoding != null) {
            if (!transferEncoding.toString().strip().equalsIgnoreCase("chunked")) {
                return "Transfer-Encoding must be chunked, alone";
            }
            state = State.CHUNK_SIZE;
            return null;
        }
        if (contentLength != null) {
            if (!contentLength.matches("[0-9]{1,18}")) {
                return "Content-Length must be one non-negative number";
            }
            remaining = Long.parseLong(contentLength);
            state = remaining == 0 ? State.HEAD : State.FIXED;
            return null;
        }
        state = State.HEAD;
        return null;
    }

    /** Follows a body to its end; a reason when its chunked framing is malformed. */
    private String readBody(ByteBuf in) {
        switch (state) {
            case FIXED, CHUNK_DATA -> {
                int skip = (int) Math.min(remaining, in.readableBytes());
                in.skipBytes(skip);
                remaining -= skip;
                if (remaining == 0) {
                    state = state == State.FIXED ? State.HEAD : State.CHUNK_END;
                }
                return null;
            }
            default -> {
                String text = readLine(in);
                if (text == null) {
                    return line.length() > MAX_LINE ? "a chunk line is too long" : null;
                }
                return onLine(text);
            }
        }
    }

    private String onLine(String text) {
        switch (state) {
            case CHUNK_SIZE -> {
                int extension = text.indexOf(';');
                String size = (extension < 0 ? text : text.substring(0, extension)).strip();
                if (!size.matches("[0-9A-Fa-f]{1,15}")) {
                    return "a chunk size is malformed";
                }
                remaining = Long.parseLong(size, 16);
                trailerBytes = 0;
                state = remaining == 0 ? State.TRAILER : State.CHUNK_DATA;
                return null;
            }
            case CHUNK_END -> {
                if (!text.isEmpty()) {
                    return "a chunk is longer than its size";
                }
                state = State.CHUNK_SIZE;
                return null;
            }
            default -> { // TRAILER
                if (text.isEmpty()) {
                    state = State.HEAD;
                    return null;
                }
                trailerBytes += text.length();
                if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
                    return "a trailer line starts with whitespace (obs-fold)";
                }
                return trailerBytes > MAX_HEAD ? "the request's trailers are too large" : null;
            }
        }
    }

    /** One line without its CR LF once its LF arrives; null while it is incomplete. */
    private String readLine(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                String text = line.substring(0, end);
                line.setLength(0);
                return text;
            }
            if (line.length() > MAX_LINE) {
                return null;
            }
            line.append((char) (b & 0xff));
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        state = State.REFUSED;
        release();
        byte[] body = ("{\"error\":\"invalid_request\",\"message\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(response.getBytes(StandardCharsets.US_ASCII), body))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void release() {
        if (head != null) {
            head.release();
            head = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }
}
