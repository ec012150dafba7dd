package io.hvfabric.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.hvfabric.cli.CliException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Channels over TCP with grpc-netty-shaded, mutual TLS unless plaintext was asked for. The channels share one event
 * loop thread that {@link #close()} stops: gRPC's shared loop would still sit in epoll_wait at exit, and the JVM waits
 * 300 ms for threads in native code before it exits. NIO rather than epoll spares extracting a native library per run;
 * the TLS engine is still BoringSSL's (netty-tcnative), whose handshake is native code, cheap in a cold JVM.
 */
public final class NettyChannelFactory implements ChannelFactory, AutoCloseable {
    /** A dead replica should fail fast so the next endpoint gets its turn within the RPC deadline. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(2);
    static final String THREAD_NAME = "hvctl-netty";

    private EventLoopGroup eventLoop;

    @Override
    public synchronized ManagedChannel open(Endpoint endpoint, TransportSecurity security) {
        if (eventLoop == null) {
            eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(THREAD_NAME, true),
                    NioIoHandler.newFactory());
        }
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port())
                .eventLoopGroup(eventLoop)
                .channelType(NioSocketChannel.class)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
        if (security instanceof TransportSecurity.MutualTls tls) {
            builder.sslContext(sslContext(tls));
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }

    /** Stops the event loop; call after the channels are shut down. */
    @Override
    public synchronized void close() {
        if (eventLoop != null) {
            eventLoop.shutdownGracefully(0, SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(SHUTDOWN_BOUND.toMillis());
            eventLoop = null;
        }
    }

    private static SslContext sslContext(TransportSecurity.MutualTls tls) {
        try {
            // Netty hands the key to the TLS engine through an in-memory key store of this type. PKCS#12, the
            // default, encrypts and decrypts it with 10,000 rounds of PBKDF2 each way: a fifth of a call's CPU.
            SslContextBuilder builder = GrpcSslContexts.forClient().keyStoreType("JKS")
                    .trustManager(tls.ca().toFile());
            Optional<PrivateKey> key = JdkPemReader.pkcs8Key(tls.key());
            if (key.isPresent()) {
                builder.keyManager(key.get(), JdkPemReader.certificates(tls.certificate()));
            } else {
                builder.keyManager(tls.certificate().toFile(), tls.key().toFile());
            }
            return builder.build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
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
