package io.hvfabric.scheduler.grpc;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DeleteVsiResponse;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.Vsi;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The leader a follower forwards to, served in-process: it records each call it receives (CreateVsi, StartVsi,
 * StopVsi, DeleteVsi, Register) with
 * the principal {@link CallerIdentity} resolves for it, and answers with a canned value. Its connections present the
 * follower's certificate ({@code followerSubject}), or none on a plaintext fabric.
 */
final class RecordingLeader implements AutoCloseable {
    /** One forwarded call: what was asked, for whom the leader believes it was asked, and that one's certificate. */
    record Received(String method, Object request, Optional<Peer> principal, Optional<CertificateSerial> serial) {}

    static final long LEASE = 42;

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final String name = InProcessServerBuilder.generateName();
    private final Server server;
    private final ManagedChannel channel;

    /** {@code followerSubject} null: plaintext. */
    RecordingLeader(String followerSubject) throws Exception {
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        if (followerSubject != null) {
            builder.addTransportFilter(CertifiedCaller.withSubject(followerSubject));
        }
        BindableService operator = () -> ServerInterceptors.intercept(new OperatorServiceGrpc.OperatorServiceImplBase() {
            @Override
            public void createVsi(CreateVsiRequest request, StreamObserver<Vsi> response) {
                received.add(asSeen("CreateVsi", request));
                response.onNext(Vsi.newBuilder().setName(request.getSpec().getName()).build());
                response.onCompleted();
            }

            @Override
            public void startVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
                received.add(asSeen("StartVsi", request));
                response.onNext(Vsi.newBuilder().setName(request.getName()).setDesired("RUNNING").build());
                response.onCompleted();
            }

            @Override
            public void stopVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
                received.add(asSeen("StopVsi", request));
                response.onNext(Vsi.newBuilder().setName(request.getName()).setDesired("STOPPED").build());
                response.onCompleted();
            }

            @Override
            public void deleteVsi(VsiActionRequest request, StreamObserver<DeleteVsiResponse> response) {
                received.add(asSeen("DeleteVsi", request));
                response.onNext(DeleteVsiResponse.newBuilder().setName(request.getName()).build());
                response.onCompleted();
            }
        }, new CallerIdentity());
        BindableService agent = () -> ServerInterceptors.intercept(new AgentServiceGrpc.AgentServiceImplBase() {
            @Override
            public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
                received.add(asSeen("Register", request));
                response.onNext(RegisterResponse.newBuilder().setLeaseId(LEASE).build());
                response.onCompleted();
            }
        }, new CallerIdentity());
        server = GrpcServerFactory.start(builder, new PrometheusRegistry(), operator, agent);
        channel = InProcessChannelBuilder.forName(name).build();
    }

    /** The call being served, as the leader sees it. */
    private static Received asSeen(String method, Object request) {
        return new Received(method, request, CallerIdentity.current(), CallerIdentity.currentSerial());
    }

    /** A follower's routing whose leader is this server. */
    Forwarding forwardingFrom(String followerId) {
        LeaderRecord self = LeaderRecord.newBuilder().setId("leader").setAddress(name).build();
        return new Forwarding(followerId, Optional::empty, () -> Optional.of(self), address -> channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
