package io.hvfabric.common.grpc;

import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.hvfabric.common.tls.GrpcTls;
import java.util.concurrent.TimeUnit;

/**
 * What one peer may cost a fabric server, applied by {@link GrpcServerFactory} to every server it starts. No fabric
 * message comes near these sizes (the largest, a guest exec result, is about 2 MiB); they exist so that a hostile or
 * broken peer is refused at the transport instead of being buffered.
 */
public final class GrpcLimits {
    /** A request larger than this is refused with RESOURCE_EXHAUSTED before it is parsed. */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 4 << 20;
    /** Request headers; the fabric's own (principal, deadline, auth) are a few hundred bytes. */
    public static final int MAX_INBOUND_METADATA_BYTES = 8 << 10;
    /** Streams open at once on one connection; further calls wait on the client for a free stream. */
    public static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 128;
    /** The server pings a connection idle this long and drops it if no answer comes within the timeout. */
    public static final long KEEPALIVE_SECONDS = 60;
    public static final long KEEPALIVE_TIMEOUT_SECONDS = 20;
    /** HTTP/2 rapid reset: more stream resets than this per window closes the connection. */
    public static final int MAX_RST_FRAMES = 200;
    public static final int RST_WINDOW_SECONDS = 10;

    private GrpcLimits() {}

    /** In-process builders (tests) take the size limits; the connection limits need Netty. */
    static void apply(ServerBuilder<?> builder) {
        builder.maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        builder.maxInboundMetadataSize(MAX_INBOUND_METADATA_BYTES);
        if (builder instanceof NettyServerBuilder netty) {
            netty.maxConcurrentCallsPerConnection(MAX_CONCURRENT_CALLS_PER_CONNECTION)
                    .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    // clients ping every GrpcTls.KEEPALIVE_SECONDS: permitted, anything much faster is abuse
                    .permitKeepAliveTime(GrpcTls.PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .maxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS);
        }
    }
}
