package io.hvfabric.scheduler.grpc;

import com.google.protobuf.Message;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster every fuzzed call meets, as etcd holds it: something of each kind, in each state a request can run
 * into. Four hosts (h1 and h2 roomy and READY, h3 DRAINING, h4 DOWN: no alive key), an operators' VSI on h1, one of
 * tenant acme (near its quota) and one of beta, a stopped one, one in a live migration h1 → h2, one on the draining
 * host, a finished migration, the drain of h3, the default image and a tenant without VSIs. Networks: the operators'
 * "default" (web-1 has a vNIC on it, so it cannot be deleted), acme's unused "blue" and beta's "default" on the same
 * CIDR as the operators'; h1 and h2 run the overlay. Generators name these objects, so requests hit existing, missing
 * and other tenants' objects alike.
 */
final class SeededCluster {
    static final Path IMAGE_DIR = Path.of("/var/cache/hvfabric/images");
    static final String LEADER = "sched-1";

    static final List<String> HOSTS = List.of("h1", "h2", "h3", "h4");
    static final List<String> VSIS = List.of("web-1", "a-1", "b-1", "s-1", "mig-1", "d-1");
    static final List<String> MIGRATIONS = List.of("m-live", "m-done");
    static final List<String> TENANTS = List.of("acme", "beta", "idle");
    static final List<String> IMAGES = List.of("default");
    static final List<String> NETWORKS = List.of("default", "blue");
    static final List<String> VOLUMES = List.of("data", "ops");
    /** web-1's one vNIC, on the operators' network "default". */
    static final NicSpec WEB_1_NIC = NicSpec.newBuilder().setNetwork("default").setIp("10.0.0.2")
            .setMac("0a:00:00:64:00:02").setVni(100).build();
    /** The host with a drain record. */
    static final String DRAINING_HOST = "h3";

    /** Fixed lease ids (etcd grants the id asked for), so generators can name a host's real lease. */
    static final Map<String, Long> LEASES = Map.of("h1", 0x4856_4601L, "h2", 0x4856_4602L, "h3", 0x4856_4603L);

    private SeededCluster() {}

    /** Every record of the seed, by key, in the order written. */
    static Map<Keys.Kind, Map<String, Message>> records() {
        Map<Keys.Kind, Map<String, Message>> r = new LinkedHashMap<>();
        for (String id : HOSTS) {
            put(r, Keys.Kind.HOST, id, host(id));
        }
        for (String id : LEASES.keySet()) {
            put(r, Keys.Kind.ALIVE, id, AliveRecord.newBuilder().setLeaseId(LEASES.get(id)).build());
        }
        VsiRecord web1 = vsi("web-1", "", "h1", Vsi.State.RUNNING, "RUNNING", "");
        put(r, Keys.Kind.VSI, "web-1", web1.toBuilder().setSpec(web1.getSpec().toBuilder().addNics(WEB_1_NIC)).build());
        put(r, Keys.Kind.VSI, "a-1", vsi("a-1", "acme", "h1", Vsi.State.RUNNING, "RUNNING", ""));
        put(r, Keys.Kind.VSI, "b-1", vsi("b-1", "beta", "h2", Vsi.State.RUNNING, "RUNNING", ""));
        put(r, Keys.Kind.VSI, "s-1", vsi("s-1", "", "h2", Vsi.State.STOPPED, "STOPPED", ""));
        put(r, Keys.Kind.VSI, "mig-1", vsi("mig-1", "", "h1", Vsi.State.MIGRATING, "RUNNING", "m-live"));
        put(r, Keys.Kind.VSI, "d-1", vsi("d-1", "", "h3", Vsi.State.RUNNING, "RUNNING", ""));
        put(r, Keys.Kind.HOST_ALLOCATION, "h1", allocation("web-1", "a-1", "mig-1"));
        put(r, Keys.Kind.HOST_ALLOCATION, "h2", allocation("b-1", "s-1", "mig-1")); // mig-1: the target's reservation
        put(r, Keys.Kind.HOST_ALLOCATION, "h3", allocation("d-1"));
        put(r, Keys.Kind.IMAGE, "default", Image.newBuilder().setName("default")
                .setKernel(IMAGE_DIR + "/default/vmlinuz").setInitrd(IMAGE_DIR + "/default/initrd.gz")
                .setCmdline("console=ttyS0 panic=-1 quiet").build());
        put(r, Keys.Kind.MIGRATION, "m-live", Migration.newBuilder().setId("m-live").setName("mig-1").setFrom("h1")
                .setTo("h2").setPhase(Migration.Phase.PRECOPY).setMemoryMib(128).build());
        put(r, Keys.Kind.MIGRATION, "m-done", Migration.newBuilder().setId("m-done").setName("web-1").setFrom("h2")
                .setTo("h1").setPhase(Migration.Phase.COMPLETED).setMemoryMib(128).build());
        put(r, Keys.Kind.DRAIN, DRAINING_HOST, Drain.newBuilder().setHost(DRAINING_HOST).setPhase(Drain.Phase.RUNNING)
                .addMoves(DrainMove.newBuilder().setVsi("d-1").setTo("h1").setState("PLANNED").setMemoryMib(128))
                .build());
        put(r, Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").setQuota(TenantQuota.newBuilder()
                .setMaxVsis(3).setMaxVcpus(4).setMaxMemoryMib(2048)).build());
        put(r, Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
        put(r, Keys.Kind.TENANT, "idle", Tenant.newBuilder().setName("idle").build());
        put(r, Keys.Kind.TENANT_USAGE, "acme", usage("a-1"));
        put(r, Keys.Kind.TENANT_USAGE, "beta", usage("b-1"));
        network(r, "", "default", "10.0.0.0/24", 100, Map.of("10.0.0.2", "web-1/0"));
        network(r, "acme", "blue", "10.1.0.0/24", 101, Map.of());
        network(r, "beta", "default", "10.0.0.0/24", 102, Map.of());
        // Volumes: acme's, available (no host yet), and the operators' own, available on no host.
        put(r, Keys.Kind.VOLUME, "acme/data", io.hvfabric.proto.v1.Volume.newBuilder().setName("data")
                .setTenant("acme").setKind(io.hvfabric.proto.v1.Volume.Kind.LOCAL).setSizeBytes(64L << 20)
                .setState(io.hvfabric.proto.v1.Volume.State.AVAILABLE).build());
        put(r, Keys.Kind.VOLUME, "system/ops", io.hvfabric.proto.v1.Volume.newBuilder().setName("ops")
                .setKind(io.hvfabric.proto.v1.Volume.Kind.LOCAL).setSizeBytes(1L << 30)
                .setState(io.hvfabric.proto.v1.Volume.State.AVAILABLE).build());
        // Events (keys as EventStore writes them, without a lease): each tenant's VSI created, and a host event.
        put(r, Keys.Kind.EVENT, "2026-01-01T00:00:00.000000001Z-00000001", event(
                io.hvfabric.proto.v1.Event.Kind.VSI_CREATED, "vsi", "a-1", "acme"));
        put(r, Keys.Kind.EVENT, "2026-01-01T00:00:00.000000002Z-00000002", event(
                io.hvfabric.proto.v1.Event.Kind.VSI_CREATED, "vsi", "b-1", "beta"));
        put(r, Keys.Kind.EVENT, "2026-01-01T00:00:00.000000003Z-00000003", event(
                io.hvfabric.proto.v1.Event.Kind.HOST_DOWN, "host", "h3", ""));
        return r;
    }

    private static void network(Map<Keys.Kind, Map<String, Message>> r, String tenant, String name, String cidr,
                                int vni, Map<String, String> addresses) {
        String owner = tenant.isEmpty() ? "system" : tenant;
        put(r, Keys.Kind.NETWORK, owner + "/" + name, Network.newBuilder().setName(name).setTenant(tenant)
                .setCidr(cidr).setMtu(1450).setVni(vni).setGatewayIp(cidr.replace(".0/24", ".1")).build());
        put(r, Keys.Kind.NETWORK_ALLOCATION, owner + "/" + name,
                NetworkAllocation.newBuilder().putAllAddresses(addresses).build());
        put(r, Keys.Kind.VNI, Integer.toString(vni), NetworkRef.newBuilder().setTenant(owner).setName(name).build());
    }

    private static HostRecord host(String id) {
        return HostRecord.newBuilder().setId(id).setAddress("10.0.0." + id.substring(1) + ":7100")
                .setCapacity(Resources.newBuilder().setVcpus(64).setMemoryMib(256 << 10).setDiskGib(4096)
                        .setNicMbps(100_000))
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg").setCpuModel("qemu64")
                        .setOverlayNetworks(id.equals("h1") || id.equals("h2")).setUnderlayMtu(1500))
                .setAdminState(id.equals(DRAINING_HOST) ? "DRAINING" : "READY")
                .setLeaseId(LEASES.getOrDefault(id, 0L))
                .build();
    }

    /** Every seeded VSI has 1 vCPU and 128 MiB, so the sums below are easy to keep right. */
    private static VsiRecord vsi(String name, String tenant, String host, Vsi.State state, String desired,
                                 String migration) {
        return VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(128).setImage("default")
                        .setTenant(tenant))
                .setHost(host).setState(state).setDesired(desired).setMigrationId(migration).build();
    }

    private static HostAllocation allocation(String... vsis) {
        return HostAllocation.newBuilder().setAllocated(Resources.newBuilder().setVcpus(vsis.length)
                .setMemoryMib(128L * vsis.length).setVsiCount(vsis.length)).addAllVsis(List.of(vsis)).build();
    }

    private static io.hvfabric.proto.v1.Event event(io.hvfabric.proto.v1.Event.Kind kind, String objectKind,
                                                    String name, String tenant) {
        return io.hvfabric.proto.v1.Event.newBuilder().setKind(kind)
                .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_767_225_600L))
                .setObject(io.hvfabric.proto.v1.EventObject.newBuilder().setKind(objectKind).setName(name))
                .setTenant(tenant).setMessage(kind + " " + name).build();
    }

    private static TenantUsage usage(String... vsis) {
        return TenantUsage.newBuilder().setVsis(vsis.length).setVcpus(vsis.length).setMemoryMib(128L * vsis.length)
                .addAllNames(new ArrayList<>(List.of(vsis))).build();
    }

    private static void put(Map<Keys.Kind, Map<String, Message>> records, Keys.Kind kind, String name, Message m) {
        records.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(name, m);
    }
}
