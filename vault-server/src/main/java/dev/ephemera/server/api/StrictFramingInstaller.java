package dev.ephemera.server.api;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerCodec;
import jakarta.inject.Singleton;

/** Puts {@link StrictFraming} in front of the HTTP/1.1 decoder of every API connection (after TLS, when there is TLS). */
@Singleton
final class StrictFramingInstaller implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new OnConnection(null));
        return event.getBean();
    }

    private record OnConnection(Channel channel) implements NettyServerCustomizer {
        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new OnConnection(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (channel == null || channel.pipeline().get(StrictFraming.NAME) != null) {
                return;
            }
            ChannelHandlerContext codec = channel.pipeline().context(HttpServerCodec.class);
            if (codec != null) {
                channel.pipeline().addBefore(codec.name(), StrictFraming.NAME, new StrictFraming());
            }
        }
    }
}
