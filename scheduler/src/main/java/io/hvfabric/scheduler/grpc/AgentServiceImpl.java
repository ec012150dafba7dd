package io.hvfabric.scheduler.grpc;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HeartbeatResponse;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.Revocations;
import io.hvfabric.proto.v1.VsiStatus;
import io.hvfabric.scheduler.SchedulerMetrics;
import io.hvfabric.scheduler.hosts.AgentReportBounds;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.revocation.AgentRevocations;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.ReportedStatus;
import io.hvfabric.scheduler.vsi.VsiOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler side of the agent protocol. Only agents may call it (the service is bound
 * {@link Authorization#guarded guarded}), and each only for its own host: every method checks the request's host id
 * against the caller first, before anything is stored or forwarded. Registration and heartbeat answers carry the
 * certificate deny list ({@link AgentRevocations}), the only way an agent, which holds no etcd credentials, learns it.
 */
public final class AgentServiceImpl implements AgentServiceGrpc.AsyncService, BindableService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServiceImpl.class);
    private final HostRegistry registry;
    private final Forwarding forwarding;
    private final ClusterView view;
    private final DesiredStates desiredStates;
    private final SchedulerMetrics metrics;
    private final VsiOperations vsis;

    public AgentServiceImpl(HostRegistry registry, Forwarding forwarding, ClusterView view,
                            DesiredStates desiredStates, SchedulerMetrics metrics, VsiOperations vsis) {
        this.vsis = vsis;
        this.registry = registry;
        this.forwarding = forwarding;
        this.view = view;
        this.desiredStates = desiredStates;
        this.metrics = metrics;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return Authorization.guarded(AgentServiceGrpc.bindService(this), CallPolicy.onlyFor(Roles.AGENT),
                view::isRevoked);
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
        Authorization.requireHost(request.getHostId());
        HostRegistry.validate(request);
        RegisterResponse answer = forwarding.route(
                term -> registry.register(term, request),
                channel -> AgentServiceGrpc.newBlockingStub(channel).register(request));
        response.onNext(withRevocations(answer));
        response.onCompleted();
    }

    /** The whole deny list, from this replica's view or the leader's (on a forwarded call), whichever is newer. */
    private RegisterResponse withRevocations(RegisterResponse answer) {
        Revocations here = AgentRevocations.after(view, 0);
        return here.getRevision() > answer.getRevocations().getRevision()
                ? answer.toBuilder().setRevocations(here).build() : answer;
    }

    /**
     * Liveness is renewed by whichever replica gets the heartbeat; VSI state changes it reports are leader writes,
     * forwarded only when something changed. If nobody leads right now the next heartbeat carries them again.
     */
    @Override
    public void heartbeat(HeartbeatRequest received, StreamObserver<HeartbeatResponse> response) {
        Authorization.requireHost(received.getHostId());
        HeartbeatRequest request = AgentReportBounds.bounded(received);
        registry.heartbeat(request);
        metrics.heartbeat(request.getHostId());
        if (reportsChanges(request)) {
            try {
                forwarding.route(term -> {
                    vsis.applyStatuses(term, request.getHostId(), request.getVsisList());
                    return null;
                }, channel -> AgentServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                        .heartbeat(request));
            } catch (RuntimeException e) {
                LOG.debug("VSI status of host {} not recorded yet: {}", request.getHostId(), e.toString());
            }
        }
        response.onNext(HeartbeatResponse.newBuilder()
                .setTerm(view.leader().map(ClusterView.Candidate::createRevision).orElse(0L))
                .setRevocations(AgentRevocations.after(view, request.getRevocationsAfter()))
                .build());
        response.onCompleted();
    }

    private boolean reportsChanges(HeartbeatRequest request) {
        for (VsiStatus status : request.getVsisList()) {
            var record = view.vsi(status.getName());
            if (record.isPresent() && request.getHostId().equals(record.get().value().getHost())
                    && ReportedStatus.changes(record.get().value(), status)) {
                return true;
            }
        }
        return false;
    }

    /** Streams the host's desired state now and whenever it changes; every command carries the current term. */
    @Override
    public void commands(CommandsRequest request, StreamObserver<AgentCommand> response) {
        Authorization.requireHost(request.getHostId());
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
