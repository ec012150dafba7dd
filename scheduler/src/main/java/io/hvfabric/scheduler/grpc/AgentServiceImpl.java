package io.hvfabric.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HeartbeatResponse;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.scheduler.SchedulerMetrics;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.view.ClusterView;

/** The scheduler side of the agent protocol. */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
    private final HostRegistry registry;
    private final Forwarding forwarding;
    private final ClusterView view;
    private final DesiredStates desiredStates;
    private final SchedulerMetrics metrics;

    public AgentServiceImpl(HostRegistry registry, Forwarding forwarding, ClusterView view,
                            DesiredStates desiredStates, SchedulerMetrics metrics) {
        this.registry = registry;
        this.forwarding = forwarding;
        this.view = view;
        this.desiredStates = desiredStates;
        this.metrics = metrics;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
        HostRegistry.validate(request);
        RegisterResponse answer = forwarding.route(
                term -> registry.register(term, request),
                channel -> AgentServiceGrpc.newBlockingStub(channel).register(request));
        response.onNext(answer);
        response.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        registry.heartbeat(request);
        metrics.heartbeat(request.getHostId());
        response.onNext(HeartbeatResponse.newBuilder()
                .setTerm(view.leader().map(ClusterView.Candidate::createRevision).orElse(0L))
                .build());
        response.onCompleted();
    }

    /** Streams the host's desired state now and whenever it changes; every command carries the current term. */
    @Override
    public void commands(CommandsRequest request, StreamObserver<AgentCommand> response) {
        ServerCallStreamObserver<AgentCommand> stream = (ServerCallStreamObserver<AgentCommand>) response;
        DesiredStates.Subscription subscription = desiredStates.subscribe(request.getHostId(), command -> {
            synchronized (stream) {
                if (!stream.isCancelled()) {
                    stream.onNext(command);
                }
            }
        });
        stream.setOnCancelHandler(subscription::close);
    }
}
