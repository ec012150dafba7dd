package io.hvfabric.scheduler.grpc;

import static io.hvfabric.scheduler.grpc.Hostile.enumNumber;
import static io.hvfabric.scheduler.grpc.Hostile.int32;
import static io.hvfabric.scheduler.grpc.Hostile.int64;
import static io.hvfabric.scheduler.grpc.Hostile.label;
import static io.hvfabric.scheduler.grpc.Hostile.mostly;
import static io.hvfabric.scheduler.grpc.Hostile.nameOf;
import static io.hvfabric.scheduler.grpc.Hostile.optionalNameOf;
import static io.hvfabric.scheduler.grpc.Hostile.printable;
import static io.hvfabric.scheduler.grpc.Hostile.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.scheduler.revocation.RevocationRequest;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DrainActionRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.GetTenantRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostActionRequest;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostUsage;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ListAuditRequest;
import io.hvfabric.proto.v1.ListEventsRequest;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * A generator of every request message the scheduler serves, aimed at {@link SeededCluster}: names are mostly
 * those of seeded objects (so calls hit existing VSIs, other tenants' VSIs, the live migration, the drain), else
 * missing or hostile; numbers and strings as {@link Hostile} makes them. Each comes with a caller: mostly one
 * the method is meant for, sometimes one it is not.
 */
final class HostileRequests {
    private static final List<String> HOSTS = SeededCluster.HOSTS;
    private static final List<String> VSIS = SeededCluster.VSIS;

    private HostileRequests() {}

    // ---- callers ----

    private static Arbitrary<Caller> operatorSide() {
        return Arbitraries.frequency(Tuple.of(7, Caller.OPERATOR), Tuple.of(2, Caller.TENANT_ACME),
                Tuple.of(1, Caller.AGENT_H1));
    }

    private static Arbitrary<Caller> agentSide() {
        return Arbitraries.frequency(Tuple.of(7, Caller.AGENT_H1), Tuple.of(1, Caller.AGENT_H2),
                Tuple.of(1, Caller.OPERATOR), Tuple.of(1, Caller.TENANT_ACME));
    }

    static <Q extends Message> Arbitrary<Fuzzed<Q>> byOperators(Arbitrary<Q> requests) {
        return Combinators.combine(operatorSide(), requests).as(Fuzzed::new);
    }

    static <Q extends Message> Arbitrary<Fuzzed<Q>> byAgents(Arbitrary<Q> requests) {
        return Combinators.combine(agentSide(), requests).as(Fuzzed::new);
    }

    /** A request without fields (ListHosts and the like): only the caller varies. */
    static <Q extends Message> Arbitrary<Fuzzed<Q>> empty(Supplier<Q> request) {
        return byOperators(Arbitraries.just(request.get()));
    }

    // ---- VSIs ----

    /** Half of them plausible in every field (a spec has a dozen: each hostile now and then refuses nearly all). */
    static Arbitrary<CreateVsiRequest> createVsi() {
        return mostly(Arbitraries.oneOf(plausibleVsiSpec(), vsiSpec())
                        .map(spec -> CreateVsiRequest.newBuilder().setSpec(spec).build()),
                Arbitraries.just(CreateVsiRequest.getDefaultInstance()));
    }

    private static Arbitrary<VsiSpec> plausibleVsiSpec() {
        return Combinators.combine(label(), Arbitraries.integers().between(1, 2), Arbitraries.of(64L, 128L, 512L),
                        Arbitraries.of("", "default"))
                .as((name, vcpus, memory, image) -> VsiSpec.newBuilder().setName("v-" + name).setVcpus(vcpus)
                        .setMemoryMib(memory).setImage(image).build());
    }

    /** New names mostly, so that creates succeed; seeded ones (ALREADY_EXISTS) and hostile ones too. */
    private static Arbitrary<VsiSpec> vsiSpec() {
        return Builders.withBuilder(VsiSpec::newBuilder)
                .use(Arbitraries.frequencyOf(Tuple.of(7, label().map(l -> "v-" + l)), Tuple.of(3, nameOf(VSIS))))
                .in(VsiSpec.Builder::setName)
                .use(int32(1, 4)).in(VsiSpec.Builder::setVcpus)
                .use(int64(VsiSpecRules.MIN_MEMORY_MIB, 1024)).in(VsiSpec.Builder::setMemoryMib)
                .use(int64(0, 64)).in(VsiSpec.Builder::setDiskGib)
                .use(optionalNameOf(SeededCluster.IMAGES)).in(VsiSpec.Builder::setImage)
                .use(rarely(nameOf(HOSTS))).in(VsiSpec.Builder::setHost)
                .use(rarely(nameOf(List.of("g1", "g2")))).in(VsiSpec.Builder::setAntiAffinityGroup)
                .use(rarely(printable(VsiSpecRules.MAX_KERNEL_ARGS))).in(VsiSpec.Builder::setKernelArgs)
                .use(nics()).in(VsiSpec.Builder::addAllNics)
                .use(int64(0, 60_000)).in(VsiSpec.Builder::setMaxDowntimeMs)
                .use(int64(0, 86_400_000)).in(VsiSpec.Builder::setMaxMigrationMs)
                .use(rarely(nameOf(List.of("acme", "beta", "idle", "system")))).in(VsiSpec.Builder::setTenant)
                .build(VsiSpec.Builder::build);
    }

    private static Arbitrary<List<NicSpec>> nics() {
        Arbitrary<NicSpec> nic = Combinators.combine(optionalNameOf(List.of("default")),
                mostly(Arbitraries.of("", "52:54:00:12:34:56"), Arbitraries.oneOf(Arbitraries.of("zz:zz",
                        "53:54:00:12:34:56"), text())), int64(0, 1000))
                .as((network, mac, mbps) -> NicSpec.newBuilder().setNetwork(network).setMac(mac).setMbps(mbps).build());
        return mostly(nic.list().ofMaxSize(2),
                Arbitraries.just(Collections.nCopies(1000, NicSpec.newBuilder().setMbps(1).build())));
    }

    /**
     * A plausible VSI with one or two vNICs, aimed at the seeded networks: an address that is free, taken (web-1's),
     * the gateway, outside the network or not one, on a network its tenant has or has not.
     */
    static Arbitrary<CreateVsiRequest> createVsiWithVnics() {
        Arbitrary<String> ip = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
                Tuple.of(2, Arbitraries.of("10.0.0.77", "10.1.0.77")), Tuple.of(1, Arbitraries.just("10.0.0.2")),
                Tuple.of(1, Arbitraries.of("10.0.0.1", "10.0.0.255", "10.9.9.9", "10.0.0.077")), Tuple.of(1, text()));
        Arbitrary<String> network = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(SeededCluster.NETWORKS)),
                Tuple.of(1, label().map(l -> "no-" + l)), Tuple.of(1, text()));
        Arbitrary<String> mac = Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.just("52:54:00:12:34:56")));
        Arbitrary<NicSpec> nic = Combinators.combine(network, ip, mac, int64(0, 1000))
                .as((net, address, m, mbps) -> NicSpec.newBuilder().setNetwork(net).setIp(address).setMac(m)
                        .setMbps(mbps).build());
        Arbitrary<List<NicSpec>> vnics = Arbitraries.frequencyOf(Tuple.of(4, nic.list().ofSize(1)),
                Tuple.of(1, nic.list().ofSize(2)));
        return Combinators.combine(plausibleVsiSpec(), vnics, rarely(Arbitraries.of("acme", "beta")))
                .as((spec, list, tenant) -> CreateVsiRequest.newBuilder().setSpec(spec.toBuilder().addAllNics(list)
                        .setTenant(tenant)).build());
    }

    /** Disks naming seeded, missing or hostile volumes, or new scratch ones of plausible and hostile sizes. */
    static Arbitrary<CreateVsiRequest> createVsiWithDisks() {
        Arbitrary<String> volume = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(SeededCluster.VOLUMES)),
                Tuple.of(1, label().map(l -> "no-" + l)), Tuple.of(1, text()));
        Arbitrary<Long> size = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(64L << 20, 1L << 30)),
                Tuple.of(1, Arbitraries.of(1000L, -1L, 1L << 50, 200L << 30)));
        Arbitrary<DiskSpec> named = Combinators.combine(volume, Arbitraries.of("", "virtio", "ide"),
                Arbitraries.of(true, false)).as((v, bus, ro) -> DiskSpec.newBuilder().setVolume(v).setBus(bus)
                        .setReadonly(ro).build());
        Arbitrary<DiskSpec> fresh = size.map(b -> DiskSpec.newBuilder().setNewSizeBytes(b).build());
        Arbitrary<DiskSpec> disk = Arbitraries.frequencyOf(Tuple.of(4, named), Tuple.of(3, fresh),
                Tuple.of(1, Arbitraries.just(DiskSpec.newBuilder().setVolume("data").setId("beta/data")
                        .setSizeBytes(1L << 20).build())));
        return Combinators.combine(plausibleVsiSpec(), disk.list().ofMinSize(1).ofMaxSize(3),
                        rarely(Arbitraries.of("acme", "beta")))
                .as((spec, list, tenant) -> CreateVsiRequest.newBuilder().setSpec(spec.toBuilder().addAllDisks(list)
                        .setTenant(tenant)).build());
    }

    static Arbitrary<VsiActionRequest> vsiAction() {
        return nameOf(VSIS).map(name -> VsiActionRequest.newBuilder().setName(name).build());
    }

    static Arbitrary<GetVsiRequest> getVsi() {
        return nameOf(VSIS).map(name -> GetVsiRequest.newBuilder().setName(name).build());
    }

    static Arbitrary<ListVsisRequest> listVsis() {
        return optionalNameOf(HOSTS).map(host -> ListVsisRequest.newBuilder().setHost(host).build());
    }

    /** Never {@code follow}: the fake agent's console ends after one chunk either way. */
    static Arbitrary<ConsoleRequest> console() {
        return Combinators.combine(nameOf(VSIS), int64(0, 1 << 20))
                .as((name, tail) -> ConsoleRequest.newBuilder().setName(name).setTailBytes(tail).build());
    }

    static Arbitrary<ExecVsiRequest> exec() {
        Arbitrary<List<String>> command = mostly(Arbitraries.of(List.of("/bin/true"), List.of("/bin/echo", "hi")),
                Arbitraries.oneOf(Arbitraries.just(List.<String>of()), Arbitraries.just(List.of("")),
                        Arbitraries.just(Collections.nCopies(300, "x")), text().list().ofMinSize(1).ofMaxSize(3),
                        Arbitraries.just(List.of("/bin/sh", "a\u0000b")), Arbitraries.just(List.of("y".repeat(5000)))));
        Arbitrary<ByteString> stdin = mostly(Arbitraries.just(ByteString.EMPTY),
                Arbitraries.just(ByteString.copyFrom(new byte[70_000])));
        return Combinators.combine(often(Arbitraries.of("web-1", "a-1"), nameOf(VSIS)), command, int64(0, 300_000),
                        stdin)
                .as((name, argv, timeout, in) -> ExecVsiRequest.newBuilder().setName(name).addAllCommand(argv)
                        .setTimeoutMs(timeout).setStdin(in).build());
    }

    // ---- migrations ----

    /** Mostly of a VSI that can migrate, to wherever placement chooses. */
    static Arbitrary<MigrateVsiRequest> migrateVsi() {
        return Builders.withBuilder(MigrateVsiRequest::newBuilder)
                .use(often(Arbitraries.of("web-1", "b-1", "d-1"), nameOf(VSIS))).in(MigrateVsiRequest.Builder::setName)
                .use(rarely(nameOf(HOSTS))).in(MigrateVsiRequest.Builder::setTo)
                .use(mostly(Arbitraries.just(0L), int64(0, 1_000_000)))
                .in(MigrateVsiRequest.Builder::setMaxBandwidthMibps)
                .use(int64(0, 60_000)).in(MigrateVsiRequest.Builder::setMaxDowntimeMs)
                .use(mostly(Arbitraries.just(0L), int64(0, 86_400_000))).in(MigrateVsiRequest.Builder::setMaxDurationMs)
                .build(MigrateVsiRequest.Builder::build);
    }

    /** Often the live migration, the one a cancel may mark. */
    static Arbitrary<GetMigrationRequest> migrationId() {
        return often(Arbitraries.just("m-live"), nameOf(SeededCluster.MIGRATIONS))
                .map(id -> GetMigrationRequest.newBuilder().setId(id).build());
    }

    static Arbitrary<ListMigrationsRequest> listMigrations() {
        return Combinators.combine(optionalNameOf(VSIS), Arbitraries.of(true, false))
                .as((name, active) -> ListMigrationsRequest.newBuilder().setName(name).setActiveOnly(active).build());
    }

    // ---- hosts and maintenance ----

    static Arbitrary<GetHostRequest> getHost() {
        return nameOf(HOSTS).map(id -> GetHostRequest.newBuilder().setId(id).build());
    }

    static Arbitrary<HostActionRequest> hostAction() {
        return nameOf(HOSTS).map(id -> HostActionRequest.newBuilder().setId(id).build());
    }

    /** Mostly of a host that can be drained (h3 is already, h4 is DOWN). */
    static Arbitrary<DrainHostRequest> drainHost() {
        return Combinators.combine(often(Arbitraries.of("h1", "h2"), nameOf(HOSTS)), Arbitraries.of(true, false),
                        int32(0, 8))
                .as((host, dryRun, parallel) -> DrainHostRequest.newBuilder().setHost(host).setDryRun(dryRun)
                        .setMaxParallel(parallel).build());
    }

    /** Often the draining host, whose drain exists. */
    static Arbitrary<DrainActionRequest> drainAction() {
        return Combinators.combine(often(Arbitraries.just(SeededCluster.DRAINING_HOST), nameOf(HOSTS)),
                        Arbitraries.of(true, false))
                .as((host, uncordon) -> DrainActionRequest.newBuilder().setHost(host).setUncordon(uncordon).build());
    }

    static Arbitrary<RebalanceRequest> rebalance() {
        return Arbitraries.of(true, false).map(dryRun -> RebalanceRequest.newBuilder().setDryRun(dryRun).build());
    }

    // ---- images, tenants, audit ----

    static Arbitrary<Image> image() {
        String root = SeededCluster.IMAGE_DIR.toString();
        Arbitrary<String> path = mostly(Arbitraries.oneOf(label().map(l -> l + "/vmlinuz"),
                label().map(l -> root + "/" + l + "/initrd.gz")), Arbitraries.oneOf(text(), Arbitraries.of(
                "/etc/shadow", "../x", root, root + "-evil/k", "k/".repeat(200))));
        return Builders.withBuilder(Image::newBuilder)
                .use(Arbitraries.frequencyOf(Tuple.of(6, label().map(l -> "img-" + l)),
                        Tuple.of(4, nameOf(SeededCluster.IMAGES)))).in(Image.Builder::setName)
                .use(path).in(Image.Builder::setKernel)
                .use(path).in(Image.Builder::setInitrd)
                .use(rarely(printable(ImageRules.MAX_CMDLINE))).in(Image.Builder::setCmdline)
                .use(Arbitraries.of(true, false)).in(Image.Builder::setGuestAgent)
                .build(Image.Builder::build);
    }

    static Arbitrary<CreateTenantRequest> createTenant() {
        Arbitrary<TenantQuota> quota = Combinators.combine(int32(0, 10), int32(0, 64), int64(0, 1 << 20))
                .as((vsis, vcpus, memory) -> TenantQuota.newBuilder().setMaxVsis(vsis).setMaxVcpus(vcpus)
                        .setMaxMemoryMib(memory).build());
        Arbitrary<String> name = Arbitraries.frequencyOf(Tuple.of(5, label().map(l -> "t-" + l)),
                Tuple.of(4, nameOf(SeededCluster.TENANTS)), Tuple.of(1, Arbitraries.just("system")));
        Arbitrary<Tenant> tenant = Combinators.combine(name, mostly(Arbitraries.just(TenantQuota.getDefaultInstance()),
                        quota), Hostile.timestamp())
                .as((n, q, created) -> Tenant.newBuilder().setName(n).setQuota(q).setCreatedAt(created).build());
        return mostly(tenant.map(t -> CreateTenantRequest.newBuilder().setTenant(t).build()),
                Arbitraries.just(CreateTenantRequest.getDefaultInstance()));
    }

    /** Often the tenant without VSIs, the one a delete may remove. */
    static Arbitrary<GetTenantRequest> tenantName() {
        return often(Arbitraries.just("idle"), nameOf(SeededCluster.TENANTS))
                .map(name -> GetTenantRequest.newBuilder().setName(name).build());
    }

    // ---- networks ----

    /** New names mostly, seeded ones (ALREADY_EXISTS) and hostile ones too; CIDRs mostly canonical. */
    static Arbitrary<CreateNetworkRequest> createNetwork() {
        Arbitrary<String> cidr = mostly(Arbitraries.of("10.7.0.0/24", "192.168.0.0/16", "10.0.0.0/24",
                "172.16.9.248/29"), Arbitraries.oneOf(text(), Arbitraries.of("10.0.0.1/24", "10.0.0.0/8",
                "10.0.0.0/30", "127.0.0.0/16", "010.0.0.0/24", "10.0.0.0/24 ", "300.0.0.0/16")));
        Arbitrary<Network> network = Builders.withBuilder(Network::newBuilder)
                .use(Arbitraries.frequencyOf(Tuple.of(6, label().map(l -> "n-" + l)),
                        Tuple.of(4, nameOf(SeededCluster.NETWORKS)))).in(Network.Builder::setName)
                .use(rarely(nameOf(List.of("acme", "beta", "idle", "system")))).in(Network.Builder::setTenant)
                .use(cidr).in(Network.Builder::setCidr)
                .use(mostly(Arbitraries.of(0, 1450, 9000), int32(576, 9000))).in(Network.Builder::setMtu)
                .use(Arbitraries.of(true, false)).in(Network.Builder::setGateway)
                .use(mostly(Arbitraries.just(0), int32(100, 1 << 24))).in(Network.Builder::setVni)
                .use(mostly(Arbitraries.just(""), Arbitraries.oneOf(Arbitraries.just("10.0.0.1"), text())))
                .in(Network.Builder::setGatewayIp)
                .use(Hostile.timestamp()).in(Network.Builder::setCreatedAt)
                .build(Network.Builder::build);
        return mostly(network.map(n -> CreateNetworkRequest.newBuilder().setNetwork(n).build()),
                Arbitraries.just(CreateNetworkRequest.getDefaultInstance()));
    }

    /** Often acme's unused network, the one a delete may remove; else any seeded or missing one, in any tenant. */
    static Arbitrary<NetworkRef> networkRef() {
        Arbitrary<NetworkRef> any = Combinators.combine(nameOf(SeededCluster.NETWORKS),
                        optionalNameOf(List.of("acme", "beta", "idle", "system")))
                .as((name, tenant) -> NetworkRef.newBuilder().setName(name).setTenant(tenant).build());
        return Arbitraries.oneOf(Arbitraries.just(NetworkRef.newBuilder().setName("blue").setTenant("acme").build()),
                any);
    }

    // ---- volumes ----

    /** New names mostly, seeded ones (ALREADY_EXISTS) and hostile ones too; sizes and kinds plausible or not. */
    static Arbitrary<CreateVolumeRequest> createVolume() {
        Arbitrary<Volume> volume = Builders.withBuilder(Volume::newBuilder)
                .use(Arbitraries.frequencyOf(Tuple.of(6, label().map(l -> "v-" + l)),
                        Tuple.of(3, nameOf(SeededCluster.VOLUMES)))).in(Volume.Builder::setName)
                .use(rarely(nameOf(List.of("acme", "beta", "idle", "system")))).in(Volume.Builder::setTenant)
                .use(Arbitraries.of(Volume.Kind.LOCAL, Volume.Kind.LOCAL, Volume.Kind.NETWORK,
                        Volume.Kind.KIND_UNSPECIFIED)).in(Volume.Builder::setKind)
                .use(Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(64L << 20, 10L << 30)),
                        Tuple.of(1, int64(-1, 1L << 50)))).in(Volume.Builder::setSizeBytes)
                .use(Arbitraries.of(false, false, true)).in(Volume.Builder::setShareable)
                .use(mostly(Arbitraries.just(""), Arbitraries.oneOf(Arbitraries.just("h1"), text())))
                .in(Volume.Builder::setHost)
                .build(Volume.Builder::build);
        return mostly(volume.map(v -> CreateVolumeRequest.newBuilder().setVolume(v).build()),
                Arbitraries.just(CreateVolumeRequest.getDefaultInstance()));
    }

    /** Often acme's available volume, the one a delete may remove; else any seeded or missing one, in any tenant. */
    static Arbitrary<VolumeRef> volumeRef() {
        Arbitrary<VolumeRef> any = Combinators.combine(nameOf(SeededCluster.VOLUMES),
                        optionalNameOf(List.of("acme", "beta", "idle", "system")))
                .as((name, tenant) -> VolumeRef.newBuilder().setName(name).setTenant(tenant).build());
        return Arbitraries.oneOf(Arbitraries.just(VolumeRef.newBuilder().setName("data").setTenant("acme").build()),
                any);
    }

    static Arbitrary<ResizeVolumeRequest> resizeVolume() {
        return Combinators.combine(volumeRef(), Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(128L << 20,
                        2L << 30)), Tuple.of(1, int64(-1, 1L << 50))))
                .as((ref, size) -> ResizeVolumeRequest.newBuilder().setVolume(ref).setSizeBytes(size).build());
    }

    static Arbitrary<ListVolumesRequest> listVolumes() {
        return optionalNameOf(List.of("acme", "beta", "idle", "system"))
                .map(tenant -> ListVolumesRequest.newBuilder().setTenant(tenant).build());
    }

    static Arbitrary<ListNetworksRequest> listNetworks() {
        return optionalNameOf(List.of("acme", "beta", "idle", "system"))
                .map(tenant -> ListNetworksRequest.newBuilder().setTenant(tenant).build());
    }

    /** Mostly no {@code since}; sometimes one, valid or not. */
    static Arbitrary<ListAuditRequest> listAudit() {
        return Combinators.combine(Hostile.timestamp().optional(0.3), int32(0, 1000))
                .as((since, limit) -> since.map(ListAuditRequest.newBuilder()::setSince)
                        .orElse(ListAuditRequest.newBuilder()).setLimit(limit).build());
    }

    /** Any kinds (unknown numbers too), objects and limits; mostly no {@code since}. */
    static Arbitrary<ListEventsRequest> listEvents() {
        return Combinators.combine(Hostile.timestamp().optional(0.3),
                        Hostile.enumNumber(io.hvfabric.proto.v1.Event.Kind.values().length - 1).list().ofMaxSize(3),
                        mostly(Arbitraries.of("", "a-1", "vsi/a-1", "host/h3"), text()), int32(0, 1000))
                .as((since, kinds, object, limit) -> since.map(ListEventsRequest.newBuilder()::setSince)
                        .orElse(ListEventsRequest.newBuilder()).addAllKindsValue(kinds).setObject(object)
                        .setLimit(limit).build());
    }

    /** Watches that find a seeded event at once (so the stream answers): every kind or VSI_CREATED, any limit. */
    static Arbitrary<ListEventsRequest> watchEvents() {
        return Combinators.combine(Arbitraries.of(true, false), int32(0, 1000))
                .as((created, limit) -> {
                    ListEventsRequest.Builder b = ListEventsRequest.newBuilder().setLimit(limit);
                    return (created ? b.addKinds(io.hvfabric.proto.v1.Event.Kind.VSI_CREATED) : b).build();
                });
    }

    // ---- agents ----

    static Arbitrary<RegisterRequest> register() {
        Arbitrary<Resources> capacity = Combinators.combine(int32(1, 128), int64(64, 1 << 20), int64(0, 1 << 16),
                        int64(0, 100_000))
                .as((vcpus, memory, disk, nic) -> Resources.newBuilder().setVcpus(vcpus).setMemoryMib(memory)
                        .setDiskGib(disk).setNicMbps(nic).build());
        Arbitrary<HostCapabilities> capabilities = Combinators.combine(mostly(Arbitraries.of("tcg", "kvm"), text()),
                        mostly(Arbitraries.of("qemu64", "host"), text()), int32(0, 1024), printable(200))
                .as((accelerator, cpu, maxVcpus, detail) -> HostCapabilities.newBuilder().setAccelerator(accelerator)
                        .setCpuModel(cpu).setKvmMaxVcpus(maxVcpus).setKvmProbeDetail(detail).build());
        Arbitrary<Map<String, String>> labels = mostly(Arbitraries.maps(label(), label()).ofMaxSize(3),
                Arbitraries.maps(text(), text()).ofMaxSize(3));
        return Builders.withBuilder(RegisterRequest::newBuilder)
                .use(agentHostId()).in(RegisterRequest.Builder::setHostId)
                .use(mostly(Arbitraries.just("10.0.0.1:7100"), Arbitraries.oneOf(text(), Arbitraries.of("h1",
                        "h1:", "h1:123456", "a b:1")))).in(RegisterRequest.Builder::setAddress)
                .use(mostly(Arbitraries.just(Resources.newBuilder().setVcpus(8).setMemoryMib(16 << 10).build()),
                        capacity)).in(RegisterRequest.Builder::setCapacity)
                .use(capabilities).in(RegisterRequest.Builder::setCapabilities)
                .use(labels).in(RegisterRequest.Builder::putAllLabels)
                .use(mostly(Arbitraries.just("10.0.0.1:9102"), text())).in(RegisterRequest.Builder::setMetricsAddress)
                .use(printable(64)).in(RegisterRequest.Builder::setAgentVersion)
                .build(RegisterRequest.Builder::build);
    }

    /** Mostly the real lease of the host named, so that heartbeats are accepted; else another host's, none, any. */
    static Arbitrary<HeartbeatRequest> heartbeat() {
        Arbitrary<Long> lease = Arbitraries.frequencyOf(Tuple.of(7, Arbitraries.just(SeededCluster.LEASES.get("h1"))),
                Tuple.of(2, Arbitraries.of(SeededCluster.LEASES.get("h2"), 0L)), Tuple.of(1, Arbitraries.longs()));
        Arbitrary<HostUsage> usage = Combinators.combine(Hostile.real(0, 64), int64(0, 1 << 20), int64(0, 1 << 16),
                        int32(0, 100))
                .as((load, memory, disk, running) -> HostUsage.newBuilder().setLoadAverage1M(load)
                        .setMemoryAvailableMib(memory).setDiskFreeGib(disk).setRunningVsis(running).build());
        return Combinators.combine(agentHostId(), lease, usage, vsiStatus().list().ofMaxSize(3))
                .as((host, leaseId, use, statuses) -> HeartbeatRequest.newBuilder().setHostId(host).setLeaseId(leaseId)
                        .setUsage(use).addAllVsis(statuses).build());
    }

    private static Arbitrary<VsiStatus> vsiStatus() {
        return Builders.withBuilder(VsiStatus::newBuilder)
                .use(nameOf(VSIS)).in(VsiStatus.Builder::setName)
                .use(enumNumber(Vsi.State.values().length - 1)).in(VsiStatus.Builder::setStateValue)
                .use(int32(0, 1 << 22)).in(VsiStatus.Builder::setPid)
                .use(printable(200)).in(VsiStatus.Builder::setMessage)
                .use(int64(0, 1 << 20)).in(VsiStatus.Builder::setGeneration)
                .use(int64(0, 100)).in(VsiStatus.Builder::setRestarts)
                .use(guest().optional(0.5)).in((status, guest) -> guest.map(status::setGuest).orElse(status))
                .build(VsiStatus.Builder::build);
    }

    private static Arbitrary<GuestStatus> guest() {
        Arbitrary<GuestInterface> nic = Combinators.combine(printable(15), printable(17), text().list().ofMaxSize(2))
                .as((name, mac, addresses) -> GuestInterface.newBuilder().setName(name).setMac(mac)
                        .addAllAddresses(addresses).build());
        return Builders.withBuilder(GuestStatus::newBuilder)
                .use(enumNumber(GuestStatus.State.values().length - 1)).in(GuestStatus.Builder::setStateValue)
                .use(Hostile.timestamp()).in(GuestStatus.Builder::setSince)
                .use(printable(200)).in(GuestStatus.Builder::setMessage)
                .use(printable(64)).in(GuestStatus.Builder::setAgentVersion)
                .use(nic.list().ofMaxSize(2)).in(GuestStatus.Builder::addAllInterfaces)
                .use(int32(0, 10)).in(GuestStatus.Builder::setMissedPings)
                .build(GuestStatus.Builder::build);
    }

    static Arbitrary<CommandsRequest> commands() {
        return agentHostId().map(host -> CommandsRequest.newBuilder().setHostId(host).build());
    }

    /** The calling agent's own host mostly; another host, or hostile text, sometimes. */
    private static Arbitrary<String> agentHostId() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("h1")), Tuple.of(2, nameOf(HOSTS)));
    }

    // ---- certificate revocation ----

    /** A certificate of no caller here (openssl, CN=stolen-laptop, OU=operator): revoking it locks nobody out. */
    static final String STOLEN_PEM =
            "-----BEGIN CERTIFICATE-----\n"
            + "MIIB0jCCAXegAwIBAgIUZIA+wwvpe3xeOtpbyfXZpXsjCUYwCgYIKoZIzj0EAwIw\n"
            + "PjEWMBQGA1UEAwwNc3RvbGVuLWxhcHRvcDERMA8GA1UECwwIb3BlcmF0b3IxETAP\n"
            + "BgNVBAoMCGh2ZmFicmljMB4XDTI2MTIwMjAyMjUxN1oXDTM2MTEyOTAyMjUxN1ow\n"
            + "PjEWMBQGA1UEAwwNc3RvbGVuLWxhcHRvcDERMA8GA1UECwwIb3BlcmF0b3IxETAP\n"
            + "BgNVBAoMCGh2ZmFicmljMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKkkYunBW\n"
            + "/H021ZV4Dj629Be5NVWFUOKRrqt+hu8RR36PUnWOV8hpvXIciCo8hIkTcpTKln0R\n"
            + "zz5Ccc+eUEgWgqNTMFEwHQYDVR0OBBYEFKABveRlvfwVEL3mP6VXLC+fZDUVMB8G\n"
            + "A1UdIwQYMBaAFKABveRlvfwVEL3mP6VXLC+fZDUVMA8GA1UdEwEB/wQFMAMBAf8w\n"
            + "CgYIKoZIzj0EAwIDSQAwRgIhAJLsIG0fa30Xao3MA2DI20cz9K9jvx6tBBPGsBVI\n"
            + "HdUOAiEAkg2fE3bGKwf7Z9QGh4R7XkXKdkNYBrzSuoyx1LZ2e4g=\n"
            + "-----END CERTIFICATE-----\n";

    /** By serial mostly (as openssl prints it, or bare hex), else by PEM, or naming nothing. */
    static Arbitrary<RevokeCertificateRequest> revokeCertificate() {
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMinLength(1)
                .ofMaxLength(CertificateSerial.MAX_HEX_DIGITS);
        Arbitrary<String> serial = mostly(Arbitraries.oneOf(hex, hex.map(h -> h.replaceAll("(..)(?!$)", "$1:"))),
                Arbitraries.oneOf(text(), Arbitraries.of("0".repeat(41), "-5", "5a::3f", ":5a", "0x5a")));
        Arbitrary<String> pem = mostly(Arbitraries.just(STOLEN_PEM), Arbitraries.oneOf(text(), Arbitraries.of(
                STOLEN_PEM.substring(0, 300), STOLEN_PEM.replace('M', '#'), "-----BEGIN CERTIFICATE-----\n\u009b\n",
                "-----BEGIN CERTIFICATE-----\n" + "A".repeat(20_000), "-----BEGIN PRIVATE KEY-----\nAAAA\n")));
        Arbitrary<RevokeCertificateRequest.Builder> named = Arbitraries.frequencyOf(
                Tuple.of(6, serial.map(typed -> RevokeCertificateRequest.newBuilder().setSerial(typed))),
                Tuple.of(3, pem.map(text -> RevokeCertificateRequest.newBuilder().setPem(text))),
                Tuple.of(1, Arbitraries.create(RevokeCertificateRequest::newBuilder)));
        return Combinators.combine(named, printable(RevocationRequest.MAX_REASON))
                .as((request, reason) -> request.setReason(reason).build());
    }

    // ---- helpers ----

    /** {@code target} (the objects a call can succeed on) half the time, else {@code any}. */
    private static Arbitrary<String> often(Arbitrary<String> target, Arbitrary<String> any) {
        return Arbitraries.oneOf(target, any);
    }

    /** Empty ("not given") four times in five, else {@code given}. */
    private static Arbitrary<String> rarely(Arbitrary<String> given) {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")), Tuple.of(1, given));
    }
}
