package dev.ephemera.server.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import jakarta.inject.Singleton;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the HTTP/1 decoding of every API connection. {@link StrictFraming} refuses a head that a
 * proxy in front could frame differently. And the time a client has to send a request's head is
 * bounded ({@code ephemera.server.header-read-timeout}):
 * from a new connection, or from the first byte of a later request, to the end of its headers. The
 * server's idle timeout starts again at every byte, so without this a client sending one header
 * byte a second holds a connection (and what it costs) for as long as it likes. A connection that
 * overruns is closed.
 */
@Singleton
final class RequestHeadGuards implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    static final String START = "ephemera-request-head-start";
    static final String END = "ephemera-request-head-end";
    private static final Logger log = LoggerFactory.getLogger(RequestHeadGuards.class);

    private final long limitMillis;

    RequestHeadGuards(ServerConfiguration configuration) {
        this.limitMillis = configuration.headerReadTimeout().toMillis();
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Installer(null));
        return event.getBean();
    }

    /** Adds the handlers around the HTTP/1 codec of each connection. */
    private final class Installer implements NettyServerCustomizer {
        private final Channel connection;

        Installer(Channel connection) {
            this.connection = connection;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Installer(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (connection == null) {
                return;
            }
            ChannelPipeline pipeline = connection.pipeline();
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null) {
                return; // HTTP/2 streams: their heads arrive as whole frames
            }
            pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, StrictFraming.NAME, new StrictFraming());
            // The clock sees the bytes as they arrive, before StrictFraming holds a head back until it is whole.
            Clock clock = new Clock(limitMillis);
            pipeline.addBefore(StrictFraming.NAME, START, new HeadStart(clock));
            pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, END, new HeadEnd(clock));
        }
    }

    /**
     * The deadline of one connection, touched only on its event loop: armed when a head may start
     * (the connection opens, or bytes arrive while no request is open), disarmed once it is decoded.
     */
    private static final class Clock {
        private final long limitMillis;
        private ScheduledFuture<?> deadline;
        private int open;

        Clock(long limitMillis) {
            this.limitMillis = limitMillis;
        }

        void arm(ChannelHandlerContext ctx) {
            if (deadline == null && open == 0) {
                deadline = ctx.executor().schedule(() -> {
                    log.debug("closing {}: no complete request head within {} ms", ctx.channel().remoteAddress(), limitMillis);
                    ctx.channel().close();
                }, limitMillis, TimeUnit.MILLISECONDS);
            }
        }

        void headRead() {
            disarm();
            open++;
        }

        void responseWritten() {
            open = Math.max(0, open - 1);
        }

        void disarm() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }
    }

    /** Before the codec: bytes of a request that is not open yet start its head's clock. */
    private static final class HeadStart extends ChannelInboundHandlerAdapter {
        private final Clock clock;

        HeadStart(Clock clock) {
            this.clock = clock;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            clock.arm(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                clock.arm(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            clock.disarm();
            ctx.fireChannelInactive();
        }
    }

    /** After the codec: a decoded head stops the clock; the end of its response lets the next one start it. */
    private static final class HeadEnd extends ChannelDuplexHandler {
        private final Clock clock;

        HeadEnd(Clock clock) {
            this.clock = clock;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                clock.headRead();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            // An interim response (100 Continue) ends nothing: the request's body and final response follow.
            boolean interim = msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (msg instanceof LastHttpContent && !interim) {
                clock.responseWritten();
            }
            ctx.write(msg, promise);
        }
    }
}
