package io.hvfabric.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.hvfabric.cli.CliException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Channels over TCP with grpc-netty-shaded, mutual TLS unless plaintext was asked for. */
public final class NettyChannelFactory implements ChannelFactory {
    /** A dead replica should fail fast so the next endpoint gets its turn within the RPC deadline. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    @Override
    public ManagedChannel open(Endpoint endpoint, TransportSecurity security) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port())
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
        if (security instanceof TransportSecurity.MutualTls tls) {
            builder.sslContext(sslContext(tls));
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }

    private static SslContext sslContext(TransportSecurity.MutualTls tls) {
        try {
            return GrpcSslContexts.forClient()
                    .trustManager(tls.ca().toFile())
                    .keyManager(tls.certificate().toFile(), tls.key().toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw CliException.usage("TLS material is unusable (ca " + tls.ca() + ", cert " + tls.certificate()
                    + ", key " + tls.key() + "): " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
