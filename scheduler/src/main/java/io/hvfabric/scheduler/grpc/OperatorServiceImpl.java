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
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.DeleteTenantResponse;
import io.hvfabric.proto.v1.GetTenantRequest;
import io.hvfabric.proto.v1.ListTenantsRequest;
import io.hvfabric.proto.v1.ListTenantsResponse;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantStatus;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.tenants.TenantOperations;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.DeleteNetworkResponse;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.ListNetworksResponse;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NetworkStatus;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DeleteVolumeResponse;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.ListVolumesResponse;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.scheduler.network.NetworkId;
import io.hvfabric.scheduler.volume.VolumeId;
import io.hvfabric.scheduler.volume.VolumeOperations;
import io.hvfabric.scheduler.network.NetworkOperations;
import io.hvfabric.scheduler.network.NetworkStatuses;
import io.hvfabric.scheduler.network.NetworkTopology;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.proto.v1.ListAuditRequest;
import io.hvfabric.proto.v1.ListEventsRequest;
import io.hvfabric.proto.v1.ListEventsResponse;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.scheduler.events.EventStore;
import io.hvfabric.proto.v1.ListAuditResponse;
import io.hvfabric.scheduler.audit.AuditStore;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.ListRevokedCertificatesRequest;
import io.hvfabric.proto.v1.ListRevokedCertificatesResponse;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.scheduler.revocation.CertificateRevocations;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Read side of the operator API: answered from this replica's view, so any replica serves it. Writes (VSIs, cordons)
 * go through {@link Forwarding} to the leader. Operators may call every method; a tenant's principal only the
 * {@link #ACCESS} list, scoped to its tenant's VSIs ({@link Authorization#scope}), where another tenant's VSI is
 * answered exactly as a missing one. The service is bound {@link Authorization#guarded guarded}, so a refused caller
 * is turned away here, before any forwarding; forwarded writes are scoped again on the leader, against the record
 * the write compares.
 */
public final class OperatorServiceImpl implements OperatorServiceGrpc.AsyncService, BindableService {
    /**
     * What tenants' principals may call: their VSIs' lifecycle, console and exec, the migrations of their VSIs
     * (read only: moving a VSI is an operator's decision), the image list and their tenant's networks and volumes. Hosts,
     * drains, rebalancing, the cluster status, registering images and tenants themselves are for operators. Events:
     * their VSIs' lifecycle and migration phases only (EventReads).
     */
    static final CallPolicy ACCESS = CallPolicy.onlyFor(Roles.OPERATOR).alsoFor(Roles.TENANT,
            OperatorServiceGrpc.getCreateVsiMethod(), OperatorServiceGrpc.getListVsisMethod(),
            OperatorServiceGrpc.getGetVsiMethod(), OperatorServiceGrpc.getStartVsiMethod(),
            OperatorServiceGrpc.getStopVsiMethod(), OperatorServiceGrpc.getDeleteVsiMethod(),
            OperatorServiceGrpc.getWatchVsiMethod(), OperatorServiceGrpc.getStreamConsoleMethod(),
            OperatorServiceGrpc.getExecVsiMethod(), OperatorServiceGrpc.getListMigrationsMethod(),
            OperatorServiceGrpc.getGetMigrationMethod(), OperatorServiceGrpc.getWatchMigrationMethod(),
            OperatorServiceGrpc.getListImagesMethod(), OperatorServiceGrpc.getCreateNetworkMethod(),
            OperatorServiceGrpc.getListNetworksMethod(), OperatorServiceGrpc.getGetNetworkMethod(),
            OperatorServiceGrpc.getDeleteNetworkMethod(), OperatorServiceGrpc.getListEventsMethod(),
            OperatorServiceGrpc.getWatchEventsMethod(), OperatorServiceGrpc.getCreateVolumeMethod(),
            OperatorServiceGrpc.getListVolumesMethod(), OperatorServiceGrpc.getGetVolumeMethod(),
            OperatorServiceGrpc.getDeleteVolumeMethod(), OperatorServiceGrpc.getResizeVolumeMethod());

    /**
     * What the write side needs; bundled so the read side can be built without it in tests. Without
     * {@code revocations} (tests of other concerns) RevokeCertificate is UNAVAILABLE, without {@code networks}
     * CreateNetwork and DeleteNetwork are.
     */
    public record Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images, ConsoleRelay console,
                         GuestExecRelay exec, MigrationOperations migrations, MigrationController migrationController,
                         HostRegistry hosts, DrainController drains, RebalanceService rebalancer,
                         TenantOperations tenants, CertificateRevocations revocations, NetworkOperations networks,
                         VolumeOperations volumes) {
        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images, ConsoleRelay console,
                      GuestExecRelay exec, MigrationOperations migrations, MigrationController migrationController,
                      HostRegistry hosts, DrainController drains, RebalanceService rebalancer,
                      TenantOperations tenants, CertificateRevocations revocations, NetworkOperations networks) {
            this(forwarding, vsis, images, console, exec, migrations, migrationController, hosts, drains, rebalancer,
                    tenants, revocations, networks, null);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images, ConsoleRelay console,
                      GuestExecRelay exec, MigrationOperations migrations, MigrationController migrationController,
                      HostRegistry hosts, DrainController drains, RebalanceService rebalancer,
                      TenantOperations tenants, CertificateRevocations revocations) {
            this(forwarding, vsis, images, console, exec, migrations, migrationController, hosts, drains, rebalancer,
                    tenants, revocations, null);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images, ConsoleRelay console,
                      GuestExecRelay exec, MigrationOperations migrations, MigrationController migrationController,
                      HostRegistry hosts, DrainController drains, RebalanceService rebalancer,
                      TenantOperations tenants) {
            this(forwarding, vsis, images, console, exec, migrations, migrationController, hosts, drains, rebalancer,
                    tenants, null);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images,
                      java.util.function.Function<String, io.grpc.ManagedChannel> agentChannels, GuestExecRelay exec,
                      MigrationOperations migrations, MigrationController migrationController, HostRegistry hosts,
                      DrainController drains, RebalanceService rebalancer, TenantOperations tenants,
                      CertificateRevocations revocations) {
            this(forwarding, vsis, images, agentChannels, exec, migrations, migrationController, hosts, drains,
                    rebalancer, tenants, revocations, null);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images,
                      java.util.function.Function<String, io.grpc.ManagedChannel> agentChannels, GuestExecRelay exec,
                      MigrationOperations migrations, MigrationController migrationController, HostRegistry hosts,
                      DrainController drains, RebalanceService rebalancer, TenantOperations tenants,
                      CertificateRevocations revocations, NetworkOperations networks) {
            this(forwarding, vsis, images, agentChannels, exec, migrations, migrationController, hosts, drains,
                    rebalancer, tenants, revocations, networks, null);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images,
                      java.util.function.Function<String, io.grpc.ManagedChannel> agentChannels, GuestExecRelay exec,
                      MigrationOperations migrations, MigrationController migrationController, HostRegistry hosts,
                      DrainController drains, RebalanceService rebalancer, TenantOperations tenants,
                      CertificateRevocations revocations, NetworkOperations networks, VolumeOperations volumes) {
            this(forwarding, vsis, images, new ConsoleRelay(agentChannels), exec, migrations, migrationController,
                    hosts, drains, rebalancer, tenants, revocations, networks, volumes);
        }

        public Writes(Forwarding forwarding, VsiOperations vsis, ImageCatalog images,
                      java.util.function.Function<String, io.grpc.ManagedChannel> agentChannels, GuestExecRelay exec,
                      MigrationOperations migrations, MigrationController migrationController, HostRegistry hosts,
                      DrainController drains, RebalanceService rebalancer, TenantOperations tenants) {
            this(forwarding, vsis, images, agentChannels, exec, migrations, migrationController, hosts, drains,
                    rebalancer, tenants, null);
        }
    }

    /** The audit log: what records the calls as they end, and where ListAudit reads them back. */
    public record Audit(AuditInterceptor recorder, AuditStore log) {}

    private static final int AUDIT_DEFAULT_LIMIT = 100;
    private static final int AUDIT_MAX_LIMIT = 1000;

    private final ClusterView view;
    private final String selfId;
    private final List<String> etcdEndpoints;
    private final BiFunction<String, String, String> reachability;
    private final Supplier<List<MemberView>> members;
    private final Writes writes;
    private final Audit audit;
    private final EventReads events;
    /** Each network's ports and carriers, built once per view revision for the network reads. */
    private final NetworkTopology.Latest topology;

    /** Without an audit log: for tests of other concerns; calls are not recorded and ListAudit is UNAVAILABLE. */
    public OperatorServiceImpl(ClusterView view, String selfId, List<String> etcdEndpoints,
                               BiFunction<String, String, String> reachability, Supplier<List<MemberView>> members,
                               Writes writes) {
        this(view, selfId, etcdEndpoints, reachability, members, writes, null);
    }

    public OperatorServiceImpl(ClusterView view, String selfId, List<String> etcdEndpoints,
                               BiFunction<String, String, String> reachability, Supplier<List<MemberView>> members,
                               Writes writes, Audit audit) {
        this(view, selfId, etcdEndpoints, reachability, members, writes, audit, null);
    }

    /** With the fabric event log ({@code events}; null: ListEvents and WatchEvents are UNAVAILABLE). */
    public OperatorServiceImpl(ClusterView view, String selfId, List<String> etcdEndpoints,
                               BiFunction<String, String, String> reachability, Supplier<List<MemberView>> members,
                               Writes writes, Audit audit, EventStore events) {
        this.events = new EventReads(events, selfId);
        this.view = view;
        this.writes = writes;
        this.selfId = selfId;
        this.etcdEndpoints = etcdEndpoints;
        this.reachability = reachability;
        this.members = members;
        this.audit = audit;
        this.topology = new NetworkTopology.Latest(view);
    }

    @Override
    public ServerServiceDefinition bindService() {
        ServerServiceDefinition service = OperatorServiceGrpc.bindService(this);
        return audit == null ? Authorization.guarded(service, ACCESS, view::isRevoked)
                : Authorization.guarded(service, ACCESS, view::isRevoked, audit.recorder());
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

    /** A tenant's principal creates in its own tenant ({@link Authorization#ownedSpec}), here and on the leader. */
    @Override
    public void createVsi(CreateVsiRequest request, StreamObserver<Vsi> response) {
        VsiSpec spec = Authorization.ownedSpec(request.getSpec());
        CreateVsiRequest owned = request.toBuilder().setSpec(spec).build();
        reply(response, writes.forwarding().route(
                term -> writes.vsis().create(term, spec),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).createVsi(owned)));
    }

    @Override
    public void startVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        TenantScope scope = Authorization.scope();
        requireVsi(request.getName(), scope);
        reply(response, writes.forwarding().route(
                term -> writes.vsis().setDesired(term, request.getName(), "RUNNING", scope),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).startVsi(request)));
    }

    @Override
    public void stopVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        TenantScope scope = Authorization.scope();
        requireVsi(request.getName(), scope);
        reply(response, writes.forwarding().route(
                term -> writes.vsis().setDesired(term, request.getName(), "STOPPED", scope),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).stopVsi(request)));
    }

    @Override
    public void deleteVsi(VsiActionRequest request, StreamObserver<DeleteVsiResponse> response) {
        TenantScope scope = Authorization.scope();
        requireVsi(request.getName(), scope);
        reply(response, writes.forwarding().route(
                term -> {
                    writes.vsis().delete(term, request.getName(), scope);
                    return DeleteVsiResponse.newBuilder().setName(request.getName()).build();
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).deleteVsi(request)));
    }

    /** A tenant's principal lists its tenant's VSIs only, and not by host (hosts are the operators' business). */
    @Override
    public void listVsis(ListVsisRequest request, StreamObserver<ListVsisResponse> response) {
        TenantScope scope = Authorization.scope();
        Authorization.denyTenant("list VSIs by host", !request.getHost().isEmpty());
        if (!request.getHost().isEmpty() && view.host(request.getHost()).isEmpty()) {
            throw FabricException.notFound("host", request.getHost());
        }
        ListVsisResponse.Builder list = ListVsisResponse.newBuilder();
        scope.tenant().ifPresent(list::setTenant);
        for (Versioned<VsiRecord> v : view.vsis()) {
            if (scope.sees(v.value())
                    && (request.getHost().isEmpty() || request.getHost().equals(v.value().getHost()))) {
                list.addVsis(toVsi(v));
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        reply(response, toVsi(requireVsi(request.getName(), Authorization.scope())));
    }

    /** Ends when the VSI leaves the caller's scope too: a name deleted and taken by another tenant is not followed. */
    @Override
    public void watchVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        TenantScope scope = Authorization.scope();
        requireVsi(request.getName(), scope);
        new RecordWatch<>(view, () -> view.vsi(request.getName()).filter(v -> scope.sees(v.value())).map(this::toVsi),
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
        reply(response, writes.exec().exec(request, Authorization.scope()));
    }

    @Override
    public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
        VsiRecord vsi = requireVsi(request.getName(), Authorization.scope()).value();
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

    // ---- Audit (operators only: not in ACCESS) ----

    /** Read from etcd, not from the view: audit records are no cluster state, and the view does not hold them. */
    @Override
    public void listAudit(ListAuditRequest request, StreamObserver<ListAuditResponse> response) {
        if (audit == null) {
            throw FabricException.unavailable("scheduler %s keeps no audit log", selfId);
        }
        int limit = request.getLimit() == 0 ? AUDIT_DEFAULT_LIMIT : request.getLimit();
        if (limit < 1 || limit > AUDIT_MAX_LIMIT) {
            throw FabricException.invalidArgument("limit", "must be 1..%d, or 0 for %d (got %d)", AUDIT_MAX_LIMIT,
                    AUDIT_DEFAULT_LIMIT, request.getLimit());
        }
        Instant since = request.hasSince() ? Times.instant(Times.valid("since", request.getSince())) : Instant.EPOCH;
        reply(response, ListAuditResponse.newBuilder().addAllRecords(audit.log().newest(since, limit)).build());
    }

    // ---- Fabric events (operators; tenants their VSIs' own: EventReads) ----

    @Override
    public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> response) {
        reply(response, events.list(request, Authorization.scope()));
    }

    @Override
    public void watchEvents(ListEventsRequest request, StreamObserver<Event> response) {
        events.watch(request, Authorization.scope(), (ServerCallStreamObserver<Event>) response);
    }

    // ---- Certificate revocation (operators only: not in ACCESS) ----

    /** Committed here, not forwarded to the leader ({@link CertificateRevocations} says why). */
    @Override
    public void revokeCertificate(RevokeCertificateRequest request,
                                  StreamObserver<RevokeCertificateResponse> response) {
        if (writes.revocations() == null) {
            throw FabricException.unavailable("scheduler %s cannot revoke certificates", selfId);
        }
        Peer by = CallerIdentity.current().orElseThrow(() -> FabricException.permissionDenied("no caller identity"));
        reply(response, writes.revocations().revoke(request, by));
    }

    @Override
    public void listRevokedCertificates(ListRevokedCertificatesRequest request,
                                        StreamObserver<ListRevokedCertificatesResponse> response) {
        ListRevokedCertificatesResponse.Builder list = ListRevokedCertificatesResponse.newBuilder();
        view.revokedCertificates().forEach(v -> list.addCertificates(v.value()));
        reply(response, list.build());
    }

    // ---- Tenants (operators only, by ACCESS) ----

    @Override
    public void createTenant(CreateTenantRequest request, StreamObserver<TenantStatus> response) {
        reply(response, writes.forwarding().route(
                term -> writes.tenants().create(term, request.getTenant()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).createTenant(request)));
    }

    @Override
    public void listTenants(ListTenantsRequest request, StreamObserver<ListTenantsResponse> response) {
        ListTenantsResponse.Builder list = ListTenantsResponse.newBuilder();
        for (Versioned<Tenant> t : view.tenants()) {
            list.addTenants(TenantOperations.status(t.value(), view.tenantUsage(t.value().getName())));
        }
        reply(response, list.build());
    }

    @Override
    public void getTenant(GetTenantRequest request, StreamObserver<TenantStatus> response) {
        Tenant tenant = requireTenant(request.getName());
        reply(response, TenantOperations.status(tenant, view.tenantUsage(tenant.getName())));
    }

    @Override
    public void deleteTenant(GetTenantRequest request, StreamObserver<DeleteTenantResponse> response) {
        requireTenant(request.getName());
        reply(response, writes.forwarding().route(
                term -> {
                    writes.tenants().delete(term, request.getName());
                    return DeleteTenantResponse.newBuilder().setName(request.getName()).build();
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).deleteTenant(request)));
    }

    private Tenant requireTenant(String name) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        return view.tenant(name).orElseThrow(() -> FabricException.notFound("tenant", name)).value();
    }

    // ---- Networks: operators in any tenant (none named: "system"), tenant principals in their own ----

    /** A tenant's principal creates in its own tenant ({@link Authorization#actingTenant}), here and on the leader. */
    @Override
    public void createNetwork(CreateNetworkRequest request, StreamObserver<NetworkStatus> response) {
        Network requested = request.getNetwork().toBuilder()
                .setTenant(Authorization.actingTenant(request.getNetwork().getTenant(), "create networks"))
                .build();
        CreateNetworkRequest owned = request.toBuilder().setNetwork(requested).build();
        reply(response, writes.forwarding().route(
                term -> networkStatus(networkWrites().create(term, requested)),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).createNetwork(owned)));
    }

    /** Operators see every tenant's unless the request names one; a tenant's principal sees its own only. */
    @Override
    public void listNetworks(ListNetworksRequest request, StreamObserver<ListNetworksResponse> response) {
        boolean everyTenant = !Authorization.scope().isTenant() && request.getTenant().isEmpty();
        String tenant = new NetworkId(Authorization.actingTenant(request.getTenant(), "list networks"), "").tenant();
        ListNetworksResponse.Builder list = ListNetworksResponse.newBuilder();
        for (Versioned<Network> n : view.networks()) {
            if (everyTenant || tenant.equals(n.value().getTenant())) {
                list.addNetworks(networkStatus(n.value()));
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getNetwork(NetworkRef request, StreamObserver<NetworkStatus> response) {
        reply(response, networkStatus(requireNetwork(request)));
    }

    @Override
    public void deleteNetwork(NetworkRef request, StreamObserver<DeleteNetworkResponse> response) {
        NetworkId id = NetworkId.of(requireNetwork(request));
        reply(response, writes.forwarding().route(
                term -> {
                    networkWrites().delete(term, id);
                    return DeleteNetworkResponse.newBuilder().setName(id.name()).setTenant(id.tenantKey()).build();
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).deleteNetwork(request)));
    }

    /** Another tenant's network is NOT_FOUND to a tenant's principal, worded as a missing one. */
    private Network requireNetwork(NetworkRef ref) {
        if (ref.getName().isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        NetworkId id = Authorization.network(ref);
        return view.network(id.key()).orElseThrow(id::notFound).value();
    }

    private NetworkStatus networkStatus(Network network) {
        return NetworkStatuses.of(network, topology.current(), view);
    }

    private NetworkOperations networkWrites() {
        if (writes.networks() == null) {
            throw FabricException.unavailable("scheduler %s cannot change networks", selfId);
        }
        return writes.networks();
    }

    // ---- Volumes: operators in any tenant (none named: "system"), tenant principals in their own ----

    /** A tenant's principal creates in its own tenant ({@link Authorization#actingTenant}), here and on the leader. */
    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<Volume> response) {
        Volume requested = request.getVolume().toBuilder()
                .setTenant(Authorization.actingTenant(request.getVolume().getTenant(), "create volumes"))
                .build();
        CreateVolumeRequest owned = request.toBuilder().setVolume(requested).build();
        reply(response, writes.forwarding().route(
                term -> volumeWrites().create(term, requested),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).createVolume(owned)));
    }

    /** Operators see every tenant's unless the request names one; a tenant's principal sees its own only. */
    @Override
    public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> response) {
        boolean everyTenant = !Authorization.scope().isTenant() && request.getTenant().isEmpty();
        String tenant = new VolumeId(Authorization.actingTenant(request.getTenant(), "list volumes"), "").tenant();
        ListVolumesResponse.Builder list = ListVolumesResponse.newBuilder();
        for (Versioned<Volume> v : view.volumes()) {
            if (everyTenant || tenant.equals(v.value().getTenant())) {
                list.addVolumes(v.value());
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getVolume(VolumeRef request, StreamObserver<Volume> response) {
        reply(response, requireVolume(request));
    }

    @Override
    public void deleteVolume(VolumeRef request, StreamObserver<DeleteVolumeResponse> response) {
        VolumeId id = VolumeId.of(requireVolume(request));
        reply(response, writes.forwarding().route(
                term -> {
                    volumeWrites().delete(term, id);
                    return DeleteVolumeResponse.newBuilder().setName(id.name()).setTenant(id.tenantKey()).build();
                },
                channel -> OperatorServiceGrpc.newBlockingStub(channel).deleteVolume(request)));
    }

    @Override
    public void resizeVolume(ResizeVolumeRequest request, StreamObserver<Volume> response) {
        VolumeId id = VolumeId.of(requireVolume(request.getVolume()));
        reply(response, writes.forwarding().route(
                term -> volumeWrites().resize(term, id, request.getSizeBytes()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).resizeVolume(request)));
    }

    /** Another tenant's volume is NOT_FOUND to a tenant's principal, worded as a missing one. */
    private Volume requireVolume(VolumeRef ref) {
        if (ref.getName().isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        VolumeId id = Authorization.volume(ref);
        return view.volume(id.key()).orElseThrow(id::notFound).value();
    }

    private VolumeOperations volumeWrites() {
        if (writes.volumes() == null) {
            throw FabricException.unavailable("scheduler %s cannot change volumes", selfId);
        }
        return writes.volumes();
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

    /** A tenant's principal sees the migrations of its own VSIs only. */
    @Override
    public void listMigrations(ListMigrationsRequest request, StreamObserver<ListMigrationsResponse> response) {
        TenantScope scope = Authorization.scope();
        ListMigrationsResponse.Builder list = ListMigrationsResponse.newBuilder();
        for (Versioned<Migration> v : view.migrations()) {
            Migration m = v.value();
            if (scope.sees(v, view.vsi(m.getName()))
                    && (request.getName().isEmpty() || request.getName().equals(m.getName()))
                    && (!request.getActiveOnly() || !MigrationPhases.isTerminal(m.getPhase()))) {
                list.addMigrations(m);
            }
        }
        reply(response, list.build());
    }

    @Override
    public void getMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        reply(response, requireMigration(request.getId(), Authorization.scope()));
    }

    @Override
    public void cancelMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        requireMigration(request.getId(), TenantScope.all());
        reply(response, writes.forwarding().route(
                term -> writes.migrations().requestCancel(term, request.getId()),
                channel -> OperatorServiceGrpc.newBlockingStub(channel).cancelMigration(request)));
    }

    @Override
    public void watchMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        TenantScope scope = Authorization.scope();
        requireMigration(request.getId(), scope);
        new RecordWatch<>(view, () -> visibleMigration(request.getId(), scope),
                m -> MigrationPhases.isTerminal(m.getPhase()), (ServerCallStreamObserver<Migration>) response).start();
    }

    /** Another tenant's migration is NOT_FOUND, worded as a missing one. */
    private Migration requireMigration(String id, TenantScope scope) {
        if (id.isEmpty()) {
            throw FabricException.invalidArgument("id", "must not be empty");
        }
        return visibleMigration(id, scope).orElseThrow(() -> FabricException.notFound("migration", id));
    }

    private Optional<Migration> visibleMigration(String id, TenantScope scope) {
        return view.migration(id).filter(m -> scope.sees(m, view.vsi(m.value().getName()))).map(Versioned::value);
    }

    /** Another tenant's VSI is NOT_FOUND, worded exactly as a missing one. */
    private Versioned<VsiRecord> requireVsi(String name, TenantScope scope) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        return view.vsi(name).filter(v -> scope.sees(v.value()))
                .orElseThrow(() -> FabricException.notFound("vsi", name));
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }
}
