package io.hvfabric.common.tls;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.hvfabric.common.error.FabricException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Mutual-TLS gRPC endpoints of the fabric. Servers demand a client certificate signed by the fabric CA; clients
 * present their own certificate and trust only the fabric CA (server certificates need a SAN matching the address
 * clients dial, e.g. an IP SAN). {@code Optional.empty()} means plaintext and must only come from an explicit
 * {@code --insecure}.
 */
public final class GrpcTls {
    /** Clients ping an idle connection this often; a peer silent for the timeout after a ping is dead. */
    public static final long KEEPALIVE_SECONDS = 30;
    public static final long KEEPALIVE_TIMEOUT_SECONDS = 10;
    /** Must stay below {@link #KEEPALIVE_SECONDS}, or servers answer client pings with GOAWAY. */
    public static final long PERMIT_KEEPALIVE_SECONDS = 20;

    private GrpcTls() {}

    /**
     * Keep-alive pings from clients are accepted every {@link #PERMIT_KEEPALIVE_SECONDS}, so that long-lived streams
     * (agent command streams, watches) can detect a dead peer without being refused for pinging too often.
     */
    public static NettyServerBuilder serverBuilder(InetSocketAddress bind, Optional<TlsFiles> tls) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind)
                .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        tls.ifPresent(files -> builder.sslContext(serverContext(files)));
        return builder;
    }

    /** A channel to {@code hostPort}; a malformed address is reported against the field {@code target}. */
    public static ManagedChannel channel(String hostPort, Optional<TlsFiles> tls) {
        return channel(HostPort.parse("target", hostPort), tls);
    }

    public static ManagedChannel channel(HostPort target, Optional<TlsFiles> tls) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.host(), target.port())
                .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (tls.isPresent()) {
            builder.sslContext(clientContext(tls.get())).useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }

    public static SslContext serverContext(TlsFiles files) {
        files.requireReadable();
        try {
            return GrpcSslContexts.forServer(files.cert().toFile(), files.key().toFile())
                    .trustManager(files.ca().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw FabricException.invalidArgument(
                    "tls", "cannot load server certificate %s / key %s / CA %s: %s",
                    files.cert(), files.key(), files.ca(), e.getMessage());
        }
    }

    public static SslContext clientContext(TlsFiles files) {
        files.requireReadable();
        try {
            return GrpcSslContexts.forClient()
                    .keyManager(files.cert().toFile(), files.key().toFile())
                    .trustManager(files.ca().toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw FabricException.invalidArgument(
                    "tls", "cannot load client certificate %s / key %s / CA %s: %s",
                    files.cert(), files.key(), files.ca(), e.getMessage());
        }
    }
}
