package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DrainActionRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.GetTenantRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostActionRequest;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ListAuditRequest;
import io.hvfabric.proto.v1.ListEventsRequest;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.ListRevokedCertificatesRequest;
import io.hvfabric.proto.v1.ListTenantsRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.VsiActionRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of every request the scheduler serves (OperatorService, AgentService), each call made on a
 * leading replica over a real etcd ({@link FabricUnderTest}) and judged by {@link Probe}: a refusal has a fitting
 * code and a short message naming what was wrong, and stores nothing at all; a read stores nothing whatever it
 * answers; nothing answers INTERNAL. One property per RPC, named after it ({@link #everyRpcHasItsProperty}).
 */
class EveryRequestStoresNothingOnRefusalIT {
    /** Tries of a call that may change state, and of a read; together about 20 s on two cores. */
    private static final int CHANGES = 60;
    private static final int READS = 25;

    private static FabricUnderTest fabric;
    private static Probe probe;

    @BeforeContainer
    static void startFabric() throws Exception {
        fabric = FabricUnderTest.start();
        probe = new Probe(fabric);
    }

    @AfterContainer
    static void stopFabric() throws Exception {
        if (fabric != null) {
            fabric.close();
        }
    }

    @Example
    void everyRpcHasItsProperty() {
        List<String> missing = new ArrayList<>();
        for (ServiceDescriptor service : List.of(OperatorServiceGrpc.getServiceDescriptor(),
                AgentServiceGrpc.getServiceDescriptor())) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                String name = Character.toLowerCase(method.getBareMethodName().charAt(0))
                        + method.getBareMethodName().substring(1);
                if (Arrays.stream(getClass().getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Property.class))
                        .map(Method::getName).noneMatch(name::equals)) {
                    missing.add(method.getFullMethodName());
                }
            }
        }
        assertThat(missing).as("RPCs without a fuzzing property").isEmpty();
    }

    // ---- OperatorService: VSIs ----

    @Property(tries = CHANGES)
    void createVsi(@ForAll("createVsis") Fuzzed<CreateVsiRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateVsiMethod(), call));
    }

    /** A refused create of a VSI with vNICs takes no address: the allocation is in the keyspace the probe compares. */
    @Property(tries = CHANGES)
    void createVsiWithVnics(@ForAll("vnicVsis") Fuzzed<CreateVsiRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateVsiMethod(), call));
    }

    @Property(tries = CHANGES)
    void startVsi(@ForAll("vsiActions") Fuzzed<VsiActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getStartVsiMethod(), call));
    }

    @Property(tries = CHANGES)
    void stopVsi(@ForAll("vsiActions") Fuzzed<VsiActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getStopVsiMethod(), call));
    }

    @Property(tries = CHANGES)
    void deleteVsi(@ForAll("vsiActions") Fuzzed<VsiActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getDeleteVsiMethod(), call));
    }

    @Property(tries = READS)
    void listVsis(@ForAll("vsiListings") Fuzzed<ListVsisRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListVsisMethod(), call));
    }

    @Property(tries = READS)
    void getVsi(@ForAll("getVsis") Fuzzed<GetVsiRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetVsiMethod(), call));
    }

    @Property(tries = READS)
    void watchVsi(@ForAll("getVsis") Fuzzed<GetVsiRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getWatchVsiMethod(), call));
    }

    @Property(tries = READS)
    void streamConsole(@ForAll("consoles") Fuzzed<ConsoleRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getStreamConsoleMethod(), call));
    }

    /** Audited (a command in a guest is a root shell there), but no state: it must store nothing. */
    @Property(tries = CHANGES)
    void execVsi(@ForAll("execs") Fuzzed<ExecVsiRequest> call) throws Exception {
        reachesBothSides(probe.read(OperatorServiceGrpc.getExecVsiMethod(), call));
    }

    // ---- OperatorService: migrations ----

    @Property(tries = CHANGES)
    void migrateVsi(@ForAll("migrations") Fuzzed<MigrateVsiRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getMigrateVsiMethod(), call));
    }

    @Property(tries = READS)
    void listMigrations(@ForAll("migrationListings") Fuzzed<ListMigrationsRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListMigrationsMethod(), call));
    }

    @Property(tries = READS)
    void getMigration(@ForAll("migrationIds") Fuzzed<GetMigrationRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetMigrationMethod(), call));
    }

    @Property(tries = CHANGES)
    void cancelMigration(@ForAll("migrationIds") Fuzzed<GetMigrationRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCancelMigrationMethod(), call));
    }

    @Property(tries = READS)
    void watchMigration(@ForAll("migrationIds") Fuzzed<GetMigrationRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getWatchMigrationMethod(), call));
    }

    // ---- OperatorService: hosts and maintenance ----

    @Property(tries = READS)
    void listHosts(@ForAll("hostListings") Fuzzed<ListHostsRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListHostsMethod(), call));
    }

    @Property(tries = READS)
    void getHost(@ForAll("getHosts") Fuzzed<GetHostRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetHostMethod(), call));
    }

    @Property(tries = READS)
    void getClusterStatus(@ForAll("clusterStatus") Fuzzed<GetClusterStatusRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetClusterStatusMethod(), call));
    }

    @Property(tries = CHANGES)
    void cordonHost(@ForAll("hostActions") Fuzzed<HostActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCordonHostMethod(), call));
    }

    @Property(tries = CHANGES)
    void uncordonHost(@ForAll("hostActions") Fuzzed<HostActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getUncordonHostMethod(), call));
    }

    @Property(tries = CHANGES)
    void drainHost(@ForAll("drains") Fuzzed<DrainHostRequest> call) throws Exception {
        if (call.request().getDryRun()) {
            tally(probe.read(OperatorServiceGrpc.getDrainHostMethod(), call));
        } else {
            reachesBothSides(probe.change(OperatorServiceGrpc.getDrainHostMethod(), call));
        }
    }

    @Property(tries = READS)
    void getDrain(@ForAll("drainActions") Fuzzed<DrainActionRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetDrainMethod(), call));
    }

    @Property(tries = READS)
    void watchDrain(@ForAll("drainActions") Fuzzed<DrainActionRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getWatchDrainMethod(), call));
    }

    @Property(tries = CHANGES)
    void pauseDrain(@ForAll("drainActions") Fuzzed<DrainActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getPauseDrainMethod(), call));
    }

    @Property(tries = CHANGES)
    void resumeDrain(@ForAll("drainActions") Fuzzed<DrainActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getResumeDrainMethod(), call));
    }

    @Property(tries = CHANGES)
    void cancelDrain(@ForAll("drainActions") Fuzzed<DrainActionRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCancelDrainMethod(), call));
    }

    @Property(tries = READS)
    void rebalance(@ForAll("rebalances") Fuzzed<RebalanceRequest> call) throws Exception {
        if (call.request().getDryRun()) {
            tally(probe.read(OperatorServiceGrpc.getRebalanceMethod(), call));
        } else {
            reachesBothSides(probe.change(OperatorServiceGrpc.getRebalanceMethod(), call));
        }
    }

    // ---- OperatorService: images, tenants, audit ----

    @Property(tries = READS)
    void listImages(@ForAll("imageListings") Fuzzed<ListImagesRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListImagesMethod(), call));
    }

    @Property(tries = CHANGES)
    void registerImage(@ForAll("images") Fuzzed<Image> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getRegisterImageMethod(), call));
    }

    @Property(tries = CHANGES)
    void createTenant(@ForAll("tenants") Fuzzed<CreateTenantRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateTenantMethod(), call));
    }

    @Property(tries = READS)
    void listTenants(@ForAll("tenantListings") Fuzzed<ListTenantsRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListTenantsMethod(), call));
    }

    @Property(tries = READS)
    void getTenant(@ForAll("tenantNames") Fuzzed<GetTenantRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetTenantMethod(), call));
    }

    @Property(tries = CHANGES)
    void deleteTenant(@ForAll("tenantNames") Fuzzed<GetTenantRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getDeleteTenantMethod(), call));
    }

    // ---- OperatorService: networks ----

    @Property(tries = CHANGES)
    void createNetwork(@ForAll("networks") Fuzzed<CreateNetworkRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateNetworkMethod(), call));
    }

    @Property(tries = READS)
    void listNetworks(@ForAll("networkListings") Fuzzed<ListNetworksRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListNetworksMethod(), call));
    }

    @Property(tries = READS)
    void getNetwork(@ForAll("networkRefs") Fuzzed<NetworkRef> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetNetworkMethod(), call));
    }

    @Property(tries = CHANGES)
    void deleteNetwork(@ForAll("networkRefs") Fuzzed<NetworkRef> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getDeleteNetworkMethod(), call));
    }

    // ---- OperatorService: volumes ----

    @Property(tries = CHANGES)
    void createVolume(@ForAll("volumes") Fuzzed<CreateVolumeRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateVolumeMethod(), call));
    }

    @Property(tries = READS)
    void listVolumes(@ForAll("volumeListings") Fuzzed<ListVolumesRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListVolumesMethod(), call));
    }

    @Property(tries = READS)
    void getVolume(@ForAll("volumeRefs") Fuzzed<VolumeRef> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getGetVolumeMethod(), call));
    }

    @Property(tries = CHANGES)
    void deleteVolume(@ForAll("volumeRefs") Fuzzed<VolumeRef> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getDeleteVolumeMethod(), call));
    }

    @Property(tries = CHANGES)
    void resizeVolume(@ForAll("volumeResizes") Fuzzed<ResizeVolumeRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getResizeVolumeMethod(), call));
    }

    /** A refused create of a VSI with disks attaches and reserves nothing: volumes and allocations are compared. */
    @Property(tries = CHANGES)
    void createVsiWithDisks(@ForAll("diskVsis") Fuzzed<CreateVsiRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getCreateVsiMethod(), call));
    }

    @Property(tries = READS)
    void listAudit(@ForAll("audits") Fuzzed<ListAuditRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListAuditMethod(), call));
    }

    // ---- OperatorService: fabric events ----

    @Property(tries = READS)
    void listEvents(@ForAll("eventListings") Fuzzed<ListEventsRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListEventsMethod(), call));
    }

    @Property(tries = READS)
    void watchEvents(@ForAll("eventWatches") Fuzzed<ListEventsRequest> call) throws Exception {
        tally(probe.read(OperatorServiceGrpc.getWatchEventsMethod(), call));
    }

    // ---- OperatorService: certificate revocation ----

    @Property(tries = CHANGES)
    void revokeCertificate(@ForAll("revocations") Fuzzed<RevokeCertificateRequest> call) throws Exception {
        reachesBothSides(probe.change(OperatorServiceGrpc.getRevokeCertificateMethod(), call));
    }

    @Property(tries = READS)
    void listRevokedCertificates(@ForAll("revocationListings") Fuzzed<ListRevokedCertificatesRequest> call)
            throws Exception {
        tally(probe.read(OperatorServiceGrpc.getListRevokedCertificatesMethod(), call));
    }

    // ---- AgentService ----

    @Property(tries = CHANGES)
    void register(@ForAll("registrations") Fuzzed<RegisterRequest> call) throws Exception {
        reachesBothSides(probe.change(AgentServiceGrpc.getRegisterMethod(), call));
    }

    @Property(tries = CHANGES)
    void heartbeat(@ForAll("heartbeats") Fuzzed<HeartbeatRequest> call) throws Exception {
        reachesBothSides(probe.change(AgentServiceGrpc.getHeartbeatMethod(), call));
    }

    @Property(tries = READS)
    void commands(@ForAll("commandStreams") Fuzzed<CommandsRequest> call) throws Exception {
        tally(probe.read(AgentServiceGrpc.getCommandsMethod(), call));
    }

    /** A change's generators must reach both sides: some calls accepted, most of the rest refused. */
    private static void reachesBothSides(String code) {
        Statistics.collect(code);
        Statistics.coverage(c -> {
            c.check("OK").count(n -> n > 0);
            c.check("OK").percentage(p -> p < 90);
        });
    }

    private static void tally(String code) {
        Statistics.collect(code);
    }

    // ---- generators: HostileRequests, with the caller ----

    @Provide
    Arbitrary<Fuzzed<CreateVsiRequest>> createVsis() {
        return HostileRequests.byOperators(HostileRequests.createVsi());
    }

    @Provide
    Arbitrary<Fuzzed<CreateVsiRequest>> vnicVsis() {
        return HostileRequests.byOperators(HostileRequests.createVsiWithVnics());
    }

    @Provide
    Arbitrary<Fuzzed<CreateNetworkRequest>> networks() {
        return HostileRequests.byOperators(HostileRequests.createNetwork());
    }

    @Provide
    Arbitrary<Fuzzed<ListNetworksRequest>> networkListings() {
        return HostileRequests.byOperators(HostileRequests.listNetworks());
    }

    @Provide
    Arbitrary<Fuzzed<NetworkRef>> networkRefs() {
        return HostileRequests.byOperators(HostileRequests.networkRef());
    }

    @Provide
    Arbitrary<Fuzzed<CreateVolumeRequest>> volumes() {
        return HostileRequests.byOperators(HostileRequests.createVolume());
    }

    @Provide
    Arbitrary<Fuzzed<ListVolumesRequest>> volumeListings() {
        return HostileRequests.byOperators(HostileRequests.listVolumes());
    }

    @Provide
    Arbitrary<Fuzzed<VolumeRef>> volumeRefs() {
        return HostileRequests.byOperators(HostileRequests.volumeRef());
    }

    @Provide
    Arbitrary<Fuzzed<ResizeVolumeRequest>> volumeResizes() {
        return HostileRequests.byOperators(HostileRequests.resizeVolume());
    }

    @Provide
    Arbitrary<Fuzzed<CreateVsiRequest>> diskVsis() {
        return HostileRequests.byOperators(HostileRequests.createVsiWithDisks());
    }

    @Provide
    Arbitrary<Fuzzed<VsiActionRequest>> vsiActions() {
        return HostileRequests.byOperators(HostileRequests.vsiAction());
    }

    @Provide
    Arbitrary<Fuzzed<ListVsisRequest>> vsiListings() {
        return HostileRequests.byOperators(HostileRequests.listVsis());
    }

    @Provide
    Arbitrary<Fuzzed<GetVsiRequest>> getVsis() {
        return HostileRequests.byOperators(HostileRequests.getVsi());
    }

    @Provide
    Arbitrary<Fuzzed<ConsoleRequest>> consoles() {
        return HostileRequests.byOperators(HostileRequests.console());
    }

    @Provide
    Arbitrary<Fuzzed<ExecVsiRequest>> execs() {
        return HostileRequests.byOperators(HostileRequests.exec());
    }

    @Provide
    Arbitrary<Fuzzed<MigrateVsiRequest>> migrations() {
        return HostileRequests.byOperators(HostileRequests.migrateVsi());
    }

    @Provide
    Arbitrary<Fuzzed<ListMigrationsRequest>> migrationListings() {
        return HostileRequests.byOperators(HostileRequests.listMigrations());
    }

    @Provide
    Arbitrary<Fuzzed<GetMigrationRequest>> migrationIds() {
        return HostileRequests.byOperators(HostileRequests.migrationId());
    }

    @Provide
    Arbitrary<Fuzzed<ListHostsRequest>> hostListings() {
        return HostileRequests.empty(ListHostsRequest::getDefaultInstance);
    }

    @Provide
    Arbitrary<Fuzzed<GetHostRequest>> getHosts() {
        return HostileRequests.byOperators(HostileRequests.getHost());
    }

    @Provide
    Arbitrary<Fuzzed<GetClusterStatusRequest>> clusterStatus() {
        return HostileRequests.empty(GetClusterStatusRequest::getDefaultInstance);
    }

    @Provide
    Arbitrary<Fuzzed<HostActionRequest>> hostActions() {
        return HostileRequests.byOperators(HostileRequests.hostAction());
    }

    @Provide
    Arbitrary<Fuzzed<DrainHostRequest>> drains() {
        return HostileRequests.byOperators(HostileRequests.drainHost());
    }

    @Provide
    Arbitrary<Fuzzed<DrainActionRequest>> drainActions() {
        return HostileRequests.byOperators(HostileRequests.drainAction());
    }

    @Provide
    Arbitrary<Fuzzed<RebalanceRequest>> rebalances() {
        return HostileRequests.byOperators(HostileRequests.rebalance());
    }

    @Provide
    Arbitrary<Fuzzed<ListImagesRequest>> imageListings() {
        return HostileRequests.empty(ListImagesRequest::getDefaultInstance);
    }

    @Provide
    Arbitrary<Fuzzed<Image>> images() {
        return HostileRequests.byOperators(HostileRequests.image());
    }

    @Provide
    Arbitrary<Fuzzed<CreateTenantRequest>> tenants() {
        return HostileRequests.byOperators(HostileRequests.createTenant());
    }

    @Provide
    Arbitrary<Fuzzed<ListTenantsRequest>> tenantListings() {
        return HostileRequests.empty(ListTenantsRequest::getDefaultInstance);
    }

    @Provide
    Arbitrary<Fuzzed<GetTenantRequest>> tenantNames() {
        return HostileRequests.byOperators(HostileRequests.tenantName());
    }

    @Provide
    Arbitrary<Fuzzed<ListAuditRequest>> audits() {
        return HostileRequests.byOperators(HostileRequests.listAudit());
    }

    @Provide
    Arbitrary<Fuzzed<ListEventsRequest>> eventListings() {
        return HostileRequests.byOperators(HostileRequests.listEvents());
    }

    @Provide
    Arbitrary<Fuzzed<ListEventsRequest>> eventWatches() {
        return HostileRequests.byOperators(HostileRequests.watchEvents());
    }

    @Provide
    Arbitrary<Fuzzed<RevokeCertificateRequest>> revocations() {
        return HostileRequests.byOperators(HostileRequests.revokeCertificate());
    }

    @Provide
    Arbitrary<Fuzzed<ListRevokedCertificatesRequest>> revocationListings() {
        return HostileRequests.empty(ListRevokedCertificatesRequest::getDefaultInstance);
    }

    @Provide
    Arbitrary<Fuzzed<RegisterRequest>> registrations() {
        return HostileRequests.byAgents(HostileRequests.register());
    }

    @Provide
    Arbitrary<Fuzzed<HeartbeatRequest>> heartbeats() {
        return HostileRequests.byAgents(HostileRequests.heartbeat());
    }

    @Provide
    Arbitrary<Fuzzed<CommandsRequest>> commandStreams() {
        return HostileRequests.byAgents(HostileRequests.commands());
    }
}
