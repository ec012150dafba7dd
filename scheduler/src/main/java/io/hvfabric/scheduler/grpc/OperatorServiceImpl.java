package io.hvfabric.scheduler.grpc;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
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
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainActionRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.HostActionRequest;
import io.hvfabric.proto.v1.RebalancePlan;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.scheduler.maintenance.DrainController;
import io.hvfabric.scheduler.maintenance.RebalanceService;
import io.hvfabric.scheduler.maintenance.DrainPhases;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DeleteVsiResponse;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.ListImagesResponse;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.ListVsisResponse;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.ListMigrationsResponse;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.migrate.MigrationController;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.scheduler.vsi.GuestJoin;
import io.hvfabric.scheduler.vsi.ImageCatalog;
import io.hvfabric.scheduler.vsi.VsiOperations;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Read side of the operator API: answered from this replica's view, so any replica serves it. Writes (VSIs, cordons)
 * go through {@link Forwarding} to the leader. Every method, reads included, is for operators only: the service is
 * bound {@link Authorization#guarded guarded}, so a refused caller is turned away here, before any forwarding.
 */
public final class OperatorServiceImpl implements OperatorServiceGrpc.AsyncService, BindableService {
    /** What the write side needs; bundled so the read side can be built without it in tests. */
    public record Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images, ConsoleRelay console,
                         GuestExecRelay exec, MigrationOperations migrations, MigrationController migrationController,
                         HostRegistry hosts, DrainController drains, RebalanceService rebalancer) {
        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images,
                      java.util.function.Function<String, io.grpc.ManagedChannel> agentChannels, GuestExecRelay exec,
                      MigrationOperations migrations, MigrationController migrationController, HostRegistry hosts,
                      DrainController drains, RebalanceService rebalancer) {
            this(forwarding, vsis, images, new ConsoleRelay(agentChannels), exec, migrations, migrationController,
                    hosts, drains, rebalancer);
        }
    }

    private final ClusterView view;
    private final String selfId;
    private final List<String> etcdEndpoints;
    private final BiFunction<String, String, String> reachability;
    private final Supplier<List<MemberView>> members;
    private final Writes writes;

    public OperatorServiceImpl(ClusterView view, String selfId, List<String> etcdEndpoints,
                               BiFunction<String, String, String> reachability, Supplier<List<MemberView>> members,
                               Writes writes) {
        this.view = view;
        this.writes = writes;
        this.selfId = selfId;
        this.etcdEndpoints = etcdEndpoints;
        this.reachability = reachability;
        this.members = members;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return Authorization.guarded(OperatorServiceGrpc.bindService(this), Roles.OPERATOR);
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

    private Host toHost(HostRecord record) {
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

    // ---- VSIs: reads from the view, writes through the leader ----

    @Override
    public void createVsi(CreateVsiRequest request, StreamObserver<Vsi> response) {
        reply(response, writes.forwarding().route(
                term -> writes.vsis().create(term, request.getSpec()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).createVsi(request)));
    }

    @Override
    public void startVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        reply(response, writes.forwarding().route(
                term -> writes.vsis().setDesired(term, request.getName(), "RUNNING"),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).startVsi(request)));
    }

    @Override
    public void stopVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        reply(response, writes.forwarding().route(
                term -> writes.vsis().setDesired(term, request.getName(), "STOPPED"),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).stopVsi(request)));
    }

    @Override
    public void deleteVsi(VsiActionRequest request, StreamObserver<DeleteVsiResponse> response) {
        reply(response, writes.forwarding().route(
                term -> {
                    writes.vsis().delete(term, request.getName());
                    return DeleteVsiResponse.newBuilder().setName(request.getName()).build();
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).deleteVsi(request)));
    }

    @Override
    public void listVsis(ListVsisRequest request, StreamObserver<ListVsisResponse> response) {
        if (!request.getHost().isEmpty() && view.host(request.getHost()).isEmpty()) {
            throw FabricException.notFound("host", request.getHost());
        }
        ListVsisResponse.Builder list = ListVsisResponse.newBuilder();
        for (Versioned<VsiRecord> v : view.vsis()) {
            if (request.getHost().isEmpty() || request.getHost().equals(v.value().getHost())) {
                list.addVsis(toVsi(v));
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        reply(response, toVsi(requireVsi(request.getName())));
    }

    @Override
    public void watchVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        requireVsi(request.getName());
        new RecordWatch<>(view, () -> view.vsi(request.getName()).map(this::toVsi),
                vsi -> false, (ServerCallStreamObserver<Vsi>) response).start();
    }

    /** The record as operators see it, with its guest as the owner host last reported it. */
    private Vsi toVsi(Versioned<VsiRecord> v) {
        VsiRecord record = v.value();
        return GuestJoin.withGuest(VsiOperations.toVsi(record, v.modRevision()), record,
                view.alive(record.getHost()).map(Versioned::value));
    }

    /** A command in a guest is as powerful as a root shell there. Not a write: answered here. */
    @Override
    public void execVsi(ExecVsiRequest request, StreamObserver<ExecVsiResponse> response) {
        reply(response, writes.exec().exec(request));
    }

    @Override
    public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
        VsiRecord vsi = requireVsi(request.getName()).value();
        HostRecord host = view.host(vsi.getHost())
                .orElseThrow(() -> FabricException.failedPrecondition("vsi '%s' has no host yet", request.getName()))
                .value();
        writes.console().relay(host.getAddress(), request, (ServerCallStreamObserver<ConsoleChunk>) response);
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
        ListImagesResponse.Builder list = ListImagesResponse.newBuilder();
        view.images().forEach(v -> list.addImages(v.value()));
        reply(response, list.build());
    }

    @Override
    public void registerImage(Image request, StreamObserver<Image> response) {
        reply(response, writes.forwarding().route(
                term -> writes.images().register(term, request),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).registerImage(request)));
    }

    // ---- Maintenance ----

    @Override
    public void cordonHost(HostActionRequest request, StreamObserver<Host> response) {
        requireHost(request.getId());
        reply(response, writes.forwarding().route(
                term -> toHost(writes.hosts().setAdminState(term, request.getId(), "CORDONED")),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).cordonHost(request)));
    }

    @Override
    public void uncordonHost(HostActionRequest request, StreamObserver<Host> response) {
        requireHost(request.getId());
        reply(response, writes.forwarding().route(
                term -> {
                    var drain = view.drain(request.getId());
                    if (drain.isPresent() && !DrainPhases.isTerminal(drain.get().value().getPhase())) {
                        throw FabricException.failedPrecondition(
                                "host '%s' is being drained; cancel the drain first (hvctl drain cancel %s)",
                                request.getId(), request.getId());
                    }
                    return toHost(writes.hosts().setAdminState(term, request.getId(), HostStates.ADMIN_READY));
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).uncordonHost(request)));
    }

    @Override
    public void drainHost(DrainHostRequest request, StreamObserver<Drain> response) {
        if (request.getHost().isEmpty()) {
            throw FabricException.invalidArgument("host", "must not be empty");
        }
        requireHost(request.getHost());
        reply(response, writes.forwarding().route(
                term -> writes.drains().drain(term, request),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).drainHost(request)));
    }

    @Override
    public void getDrain(DrainActionRequest request, StreamObserver<Drain> response) {
        reply(response, requireDrain(request.getHost()));
    }

    @Override
    public void watchDrain(DrainActionRequest request, StreamObserver<Drain> response) {
        requireDrain(request.getHost());
        new RecordWatch<>(view, () -> view.drain(request.getHost()).map(Versioned::value),
                d -> DrainPhases.isTerminal(d.getPhase()), (ServerCallStreamObserver<Drain>) response).start();
    }

    @Override
    public void pauseDrain(DrainActionRequest request, StreamObserver<Drain> response) {
        drainPhase(request, Drain.Phase.PAUSED, response, c -> c.pauseDrain(request));
    }

    @Override
    public void resumeDrain(DrainActionRequest request, StreamObserver<Drain> response) {
        drainPhase(request, Drain.Phase.RUNNING, response, c -> c.resumeDrain(request));
    }

    @Override
    public void cancelDrain(DrainActionRequest request, StreamObserver<Drain> response) {
        drainPhase(request, Drain.Phase.CANCELLING, response, c -> c.cancelDrain(request));
    }

    private void drainPhase(DrainActionRequest request, Drain.Phase phase, StreamObserver<Drain> response,
                            java.util.function.Function<OperatorServiceGrpc.OperatorServiceBlockingStub, Drain> fwd) {
        requireDrain(request.getHost());
        reply(response, writes.forwarding().route(
                term -> writes.drains().setPhase(term, request.getHost(), phase, request.getUncordon()),
                channel -> fwd.apply(OperatorServiceGrpc.newBlockingStub(channel))));
    }

    private Drain requireDrain(String host) {
        if (host.isEmpty()) {
            throw FabricException.invalidArgument("host", "must not be empty");
        }
        return view.drain(host).orElseThrow(() -> FabricException.notFound("drain of host", host)).value();
    }

    @Override
    public void rebalance(RebalanceRequest request, StreamObserver<RebalancePlan> response) {
        reply(response, writes.forwarding().route(
                term -> writes.rebalancer().rebalance(term, request.getDryRun()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).rebalance(request)));
    }

    private HostRecord requireHost(String id) {
        if (id.isEmpty()) {
            throw FabricException.invalidArgument("id", "must not be empty");
        }
        return view.host(id).orElseThrow(() -> FabricException.notFound("host", id)).value();
    }

    // ---- Migrations ----

    @Override
    public void migrateVsi(MigrateVsiRequest request, StreamObserver<Migration> response) {
        reply(response, writes.forwarding().route(
                term -> {
                    Migration accepted = writes.migrations().accept(term, request, 0, "operator");
                    writes.migrationController().start(term, accepted.getId());
                    return accepted;
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).migrateVsi(request)));
    }

    @Override
    public void listMigrations(ListMigrationsRequest request, StreamObserver<ListMigrationsResponse> response) {
        ListMigrationsResponse.Builder list = ListMigrationsResponse.newBuilder();
        for (Versioned<Migration> v : view.migrations()) {
            Migration m = v.value();
            if ((request.getName().isEmpty() || request.getName().equals(m.getName()))
                    && (!request.getActiveOnly() || !MigrationPhases.isTerminal(m.getPhase()))) {
                list.addMigrations(m);
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        reply(response, requireMigration(request.getId()));
    }

    @Override
    public void cancelMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        requireMigration(request.getId());
        reply(response, writes.forwarding().route(
                term -> writes.migrations().requestCancel(term, request.getId()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).cancelMigration(request)));
    }

    @Override
    public void watchMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        requireMigration(request.getId());
        new RecordWatch<>(view, () -> view.migration(request.getId()).map(Versioned::value),
                m -> MigrationPhases.isTerminal(m.getPhase()), (ServerCallStreamObserver<Migration>) response).start();
    }

    private Migration requireMigration(String id) {
        if (id.isEmpty()) {
            throw FabricException.invalidArgument("id", "must not be empty");
        }
        return view.migration(id).orElseThrow(() -> FabricException.notFound("migration", id)).value();
    }

    private Versioned<VsiRecord> requireVsi(String name) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        return view.vsi(name).orElseThrow(() -> FabricException.notFound("vsi", name));
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }
}
