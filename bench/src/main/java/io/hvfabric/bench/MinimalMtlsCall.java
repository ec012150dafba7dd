package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * The floor hvctl's wall time is compared with: the same mutual-TLS channel as hvctl's (grpc-netty-shaded, the JDK's
 * TLS, the operator certificate) and one ListHosts call, without picocli, options or output formatting.
 * Usage: MinimalMtlsCall HOST:PORT TLS_DIR (holding ca.crt, operator.crt, operator.key).
 */
public final class MinimalMtlsCall {
    private MinimalMtlsCall() {}

    public static void main(String[] args) throws Exception {
        String[] endpoint = args[0].split(",")[0].split(":");
        File dir = new File(args[1]);
        ManagedChannel channel = NettyChannelBuilder.forAddress(endpoint[0], Integer.parseInt(endpoint[1]))
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(new File(dir, "ca.crt"))
                        .keyManager(new File(dir, "operator.crt"), new File(dir, "operator.key"))
                        .build())
                .build();
        try {
            int hosts = OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listHosts(ListHostsRequest.getDefaultInstance()).getHostsCount();
            System.out.println(hosts + " hosts");
        } finally {
            channel.shutdownNow();
        }
    }
}
