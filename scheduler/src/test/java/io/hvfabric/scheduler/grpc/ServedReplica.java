package io.hvfabric.scheduler.grpc;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;

/**
 * A replica's gRPC server as {@code Scheduler} builds it (GrpcServerFactory's interceptors and Forwarding's), served
 * in-process; every caller presents a certificate with {@code callerSubject}, or none (plaintext) when it is null.
 */
final class ServedReplica implements AutoCloseable {
    private final Server server;
    private final ManagedChannel channel;

    ServedReplica(String callerSubject, BindableService... services) throws Exception {
        this(callerSubject == null ? null : CertifiedCaller.withSubject(callerSubject), services);
    }

    /** Every caller presents {@code caller}'s certificate; none (plaintext) when it is null. */
    ServedReplica(CertifiedCaller caller, BindableService... services) throws Exception {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        if (caller != null) {
            builder.addTransportFilter(caller);
        }
        builder.intercept(Forwarding.serverInterceptor());
        server = GrpcServerFactory.start(builder, new PrometheusRegistry(), services);
        channel = InProcessChannelBuilder.forName(name).build();
    }

    Channel channel() {
        return channel;
    }

    /** The channel with a header a caller chose to send (e.g. a forged principal). */
    Channel channelSending(Metadata.Key<String> key, String value) {
        Metadata headers = new Metadata();
        headers.put(key, value);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The channel as a replica forwarding for {@code principal} uses it: the principal and its certificate's serial. */
    Channel channelForwarding(String principal, String serial) {
        Metadata headers = new Metadata();
        headers.put(CallerIdentity.PRINCIPAL, principal);
        headers.put(CallerIdentity.PRINCIPAL_SERIAL, serial);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
