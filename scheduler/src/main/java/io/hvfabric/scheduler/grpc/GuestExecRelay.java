package io.hvfabric.scheduler.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.error.GrpcErrors;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.ExecRequests;
import io.hvfabric.scheduler.vsi.GuestJoin;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs an operator's command in a guest: checks the request and that the VSI runs on a host whose agent can be
 * reached, then calls that agent's GuestExec and names the host in the answer. Not a state write, so whichever
 * replica got the call makes it. The caller checks the role first and names the caller's scope: another tenant's VSI
 * is NOT_FOUND, as a missing one, and no agent is asked.
 */
public final class GuestExecRelay {
    /** Beyond the command's own timeout: the agent's round trips to the guest agent and back to us. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    /** What the relay reads of the cluster; the view in production. */
    public interface Lookup {
        Optional<VsiRecord> vsi(String name);

        Optional<HostRecord> host(String id);

        /** Empty once the host's lease expired (DOWN). */
        Optional<AliveRecord> alive(String hostId);

        /** Gossip's word on the host's agent: "reachable", "unreachable" or "unknown". */
        String membership(String hostId);

        static Lookup of(ClusterView view, BiFunction<String, String, String> reachability) {
            return new Lookup() {
                @Override
                public Optional<VsiRecord> vsi(String name) {
                    return view.vsi(name).map(Versioned::value);
                }

                @Override
                public Optional<HostRecord> host(String id) {
                    return view.host(id).map(Versioned::value);
                }

                @Override
                public Optional<AliveRecord> alive(String hostId) {
                    return view.alive(hostId).map(Versioned::value);
                }

                @Override
                public String membership(String hostId) {
                    return reachability.apply("agent", hostId);
                }
            };
        }
    }

    private final Lookup cluster;
    private final Function<String, ManagedChannel> channels;

    /** {@code channels} gives the (shared, cached) channel to an agent address. */
    public GuestExecRelay(Lookup cluster, Function<String, ManagedChannel> channels) {
        this.cluster = cluster;
        this.channels = channels;
    }

    ExecVsiResponse exec(ExecVsiRequest request, TenantScope scope) {
        ExecVsiRequest valid = ExecRequests.validated(request);
        String name = valid.getName();
        VsiRecord vsi = cluster.vsi(name).filter(scope::sees).orElseThrow(() -> FabricException.notFound("vsi", name));
        HostRecord host = requireReachableHost(vsi);
        ExecVsiResponse answer;
        try {
            answer = NodeServiceGrpc.newBlockingStub(channels.apply(host.getAddress()))
                    .withDeadlineAfter(valid.getTimeoutMs() + DEADLINE_MARGIN.toMillis(), TimeUnit.MILLISECONDS)
                    .guestExec(valid);
        } catch (StatusRuntimeException e) {
            throw agentFailure(host.getId(), name, e);
        }
        return answer.toBuilder().setHost(host.getId()).build();
    }

    private HostRecord requireReachableHost(VsiRecord vsi) {
        String name = vsi.getSpec().getName();
        if (vsi.getState() != Vsi.State.RUNNING) {
            throw FabricException.failedPrecondition("vsi '%s' is %s; exec needs it RUNNING", name, vsi.getState());
        }
        HostRecord host = cluster.host(vsi.getHost()).orElseThrow(() ->
                FabricException.failedPrecondition("vsi '%s' has no host", name));
        Optional<AliveRecord> alive = cluster.alive(host.getId());
        if (alive.isEmpty()) {
            throw FabricException.failedPrecondition("host '%s' of vsi '%s' is DOWN (its lease expired)",
                    host.getId(), name);
        }
        if ("unreachable".equals(cluster.membership(host.getId()))) {
            throw FabricException.failedPrecondition("the agent of host '%s' (vsi '%s') is unreachable", host.getId(),
                    name);
        }
        GuestStatus guest = GuestJoin.guestOf(vsi, alive);
        if (guest.getState() == GuestStatus.State.NO_AGENT) {
            throw FabricException.failedPrecondition("vsi '%s' has no guest agent%s", name,
                    guest.getMessage().isEmpty() ? "" : ": " + guest.getMessage());
        }
        return host;
    }

    /**
     * The agent's own refusals keep their code, with the host named. Transport failures and UNAVAILABLE become
     * FAILED_PRECONDITION: clients fail over to another replica on UNAVAILABLE, and that must not run the command
     * twice (nor report the scheduler as unreachable).
     */
    private static FabricException agentFailure(String hostId, String name, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return FabricException.failedPrecondition(
                    "the agent of host '%s' did not answer in time; the command may still run in vsi '%s'", hostId,
                    name);
        }
        FabricException remote = GrpcErrors.fromStatus(e);
        String message = "agent of host '" + hostId + "': " + remote.getMessage();
        if (remote.code() == ErrorCode.UNAVAILABLE || remote.code() == ErrorCode.NOT_LEADER) {
            return FabricException.failedPrecondition("%s", message);
        }
        return FabricException.of(remote.code(), message);
    }
}
