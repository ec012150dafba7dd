package io.hvfabric.cli.cds;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListHostsResponse;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.ListVsisResponse;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-TLS endpoint on a free loopback port for the archive's training calls, so they go through the handshake,
 * the server certificate's validation and HTTP/2 as a call to a scheduler does. It lists one bare host and no VSIs;
 * every other method is UNIMPLEMENTED, which trains the error path.
 */
final class LoopbackScheduler implements AutoCloseable {
    private final Server server;

    LoopbackScheduler(Path ca, Path certificate, Path key) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(certificate.toFile(), key.toFile())
                        .trustManager(ca.toFile())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .addService(new Listings())
                .build()
                .start();
    }

    String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static final class Listings extends OperatorServiceGrpc.OperatorServiceImplBase {
        @Override
        public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> response) {
            response.onNext(ListHostsResponse.newBuilder().addHosts(Host.newBuilder().setId("host-1")).build());
            response.onCompleted();
        }

        @Override
        public void listVsis(ListVsisRequest request, StreamObserver<ListVsisResponse> response) {
            response.onNext(ListVsisResponse.getDefaultInstance());
            response.onCompleted();
        }
    }
}
