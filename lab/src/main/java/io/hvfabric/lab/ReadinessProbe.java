package io.hvfabric.lab;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Asks the schedulers, as the operator, which hosts they see. Any replica answers reads. */
final class ReadinessProbe implements AutoCloseable {
    private final List<ManagedChannel> channels;

    /** Plaintext when {@code tls} is null. */
    ReadinessProbe(List<String> schedulerEndpoints, CertificateFiles tls) {
        this.channels = schedulerEndpoints.stream().map(e -> open(e, tls)).toList();
    }

    private static ManagedChannel open(String endpoint, CertificateFiles tls) {
        int colon = endpoint.lastIndexOf(':');
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(endpoint.substring(0, colon),
                Integer.parseInt(endpoint.substring(colon + 1)));
        if (tls == null) {
            b.usePlaintext();
        } else {
            try {
                b.sslContext(GrpcSslContexts.forClient().trustManager(tls.ca().toFile())
                        .keyManager(tls.certificate().toFile(), tls.key().toFile()).build());
            } catch (SSLException e) {
                throw new LabException("tls: operator certificate in " + tls.ca().getParent() + " is unusable: "
                        + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** Hosts as the first replica that answers sees them. */
    List<Host> hosts() {
        StatusRuntimeException last = null;
        for (ManagedChannel channel : channels) {
            try {
                return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .listHosts(ListHostsRequest.getDefaultInstance()).getHostsList();
            } catch (StatusRuntimeException e) {
                last = e;
            }
        }
        throw new LabException("schedulers: none answered ListHosts: "
                + (last == null ? "no endpoints" : last.getStatus().getCode() + " " + last.getStatus().getDescription()));
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }
}
