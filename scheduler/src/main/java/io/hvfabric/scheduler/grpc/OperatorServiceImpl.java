package io.hvfabric.scheduler.grpc;

import io.grpc.stub.StreamObserver;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.membership.MemberView;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListHostsResponse;
import io.hvfabric.proto.v1.Member;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Replica;
import io.hvfabric.proto.v1.ReplicaRecord;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Read side of the operator API: answered from this replica's view, so any replica serves it. Writes (VSIs, cordons)
 * go through {@link Forwarding} to the leader.
 */
public class OperatorServiceImpl extends OperatorServiceGrpc.OperatorServiceImplBase {
    protected final ClusterView view;
    private final String selfId;
    private final List<String> etcdEndpoints;
    private final BiFunction<String, String, String> reachability;
    private final Supplier<List<MemberView>> members;

    public OperatorServiceImpl(ClusterView view, String selfId, List<String> etcdEndpoints,
                               BiFunction<String, String, String> reachability, Supplier<List<MemberView>> members) {
        this.view = view;
        this.selfId = selfId;
        this.etcdEndpoints = etcdEndpoints;
        this.reachability = reachability;
        this.members = members;
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> response) {
        ListHostsResponse.Builder list = ListHostsResponse.newBuilder();
        for (Versioned<HostRecord> host : view.hosts()) {
            list.addHosts(toHost(host.value()));
        }
        response.onNext(list.build());
        response.onCompleted();
    }

    @Override
    public void getHost(GetHostRequest request, StreamObserver<Host> response) {
        if (request.getId().isEmpty()) {
            throw FabricException.invalidArgument("id", "must not be empty");
        }
        HostRecord record = view.host(request.getId())
                .orElseThrow(() -> FabricException.notFound("host", request.getId()))
                .value();
        response.onNext(toHost(record));
        response.onCompleted();
    }

    protected Host toHost(HostRecord record) {
        return HostStates.toHost(record,
                view.alive(record.getId()).map(Versioned::value),
                view.allocation(record.getId()).map(Versioned::value),
                reachability.apply("agent", record.getId()));
    }

    @Override
    public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> response) {
        ClusterStatus.Builder status = ClusterStatus.newBuilder()
                .setAnsweredBy(selfId)
                .addAllEtcdEndpoints(etcdEndpoints);
        var leader = view.leader();
        leader.ifPresent(l -> status.setLeader(l.record().getId()).setTerm(l.createRevision()));
        for (Versioned<ReplicaRecord> r : view.replicas()) {
            ReplicaRecord replica = r.value();
            status.addReplicas(Replica.newBuilder()
                    .setId(replica.getId())
                    .setAddress(replica.getAddress())
                    .setMetricsAddress(replica.getMetricsAddress())
                    .setLeader(leader.map(l -> l.record().getId().equals(replica.getId())).orElse(false)));
        }
        for (MemberView m : members.get()) {
            status.addMembers(Member.newBuilder()
                    .setAddress(m.address())
                    .setKind(m.kind())
                    .setId(m.id())
                    .setStatus(m.status())
                    .setReachable(m.reachable()));
        }
        int ready = 0;
        List<Versioned<HostRecord>> hosts = view.hosts();
        for (Versioned<HostRecord> h : hosts) {
            if (toHost(h.value()).getState() == Host.State.READY) {
                ready++;
            }
        }
        status.setHostsTotal(hosts.size()).setHostsReady(ready).setVsisTotal(view.vsis().size());
        response.onNext(status.build());
        response.onCompleted();
    }
}
