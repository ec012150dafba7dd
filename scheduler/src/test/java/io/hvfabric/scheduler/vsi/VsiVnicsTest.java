package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPAM and MACs in the decision that records a VSI: every vNIC's network looked up in the VSI's tenant, its address
 * taken in the network's allocation and its MAC derived from it, all in the VSI's transaction; a refused create
 * takes no address, a delete frees them. h1 runs the overlay (underlay MTU 1500), h2 does not.
 */
class VsiVnicsTest {
    private final ViewFeed feed = new ViewFeed();
    private final VsiOperations vsis = new VsiOperations(feed.view(), feed.keys(), new FeedDecider(feed),
            PlacementPipeline.fromConfig(PlacementConfig.DEFAULT), new PlacementInputs(feed.view(), List::of));

    @BeforeEach
    void cluster() {
        host("h1", HostCapabilities.newBuilder().setAccelerator("tcg").setOverlayNetworks(true).setUnderlayMtu(1500));
        host("h2", HostCapabilities.newBuilder().setAccelerator("tcg"));
        feed.put(Keys.Kind.IMAGE, "default", Image.newBuilder().setName("default").setKernel("/k").setInitrd("/i")
                .build());
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        network("acme/blue", Network.newBuilder().setName("blue").setTenant("acme").setCidr("10.0.0.0/29")
                .setMtu(1450).setVni(100).setGatewayIp("10.0.0.1"));
        network("acme/jumbo", Network.newBuilder().setName("jumbo").setTenant("acme").setCidr("10.1.0.0/24")
                .setMtu(9000).setVni(101).setGatewayIp("10.1.0.1"));
        network("acme/green", Network.newBuilder().setName("green").setTenant("acme").setCidr("10.2.0.0/24")
                .setMtu(1450).setVni(103).setGatewayIp("10.2.0.1"));
        network("system/blue", Network.newBuilder().setName("blue").setCidr("10.0.0.0/24").setMtu(1450).setVni(102)
                .setGatewayIp("10.0.0.1"));
    }

    private void host(String id, HostCapabilities.Builder capabilities) {
        feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress(id + ":7100")
                .setCapacity(Resources.newBuilder().setVcpus(16).setMemoryMib(65536).setDiskGib(100)
                        .setNicMbps(10_000))
                .setCapabilities(capabilities).setAdminState("READY").build());
        feed.put(Keys.Kind.ALIVE, id, AliveRecord.newBuilder().setLeaseId(1).build());
    }

    private void network(String key, Network.Builder network) {
        feed.put(Keys.Kind.NETWORK, key, network.build());
        feed.put(Keys.Kind.NETWORK_ALLOCATION, key, NetworkAllocation.getDefaultInstance());
    }

    private static VsiSpec spec(String name, String tenant, NicSpec.Builder... nics) {
        VsiSpec.Builder spec = VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(64).setTenant(tenant);
        for (NicSpec.Builder nic : nics) {
            spec.addNics(nic);
        }
        return spec.build();
    }

    private static NicSpec.Builder nic(String network) {
        return NicSpec.newBuilder().setNetwork(network).setMbps(100);
    }

    private Map<String, String> addresses(String key) {
        return feed.view().networkAllocation(key).map(Versioned::value).orElseThrow().getAddressesMap();
    }

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aVnicGetsTheLowestFreeAddressItsMacAndVniInTheVsisTransaction() {
        Vsi created = vsis.create(null, spec("a-1", "acme", nic("blue")));

        NicSpec stored = feed.view().vsi("a-1").orElseThrow().value().getSpec().getNics(0);
        assertThat(stored.getIp()).isEqualTo("10.0.0.2");
        assertThat(stored.getMac()).isEqualTo("0a:00:00:64:00:02");
        assertThat(stored.getVni()).isEqualTo(100);
        assertThat(created.getSpec().getNics(0)).isEqualTo(stored);
        assertThat(created.getHost()).as("the one host running the overlay").isEqualTo("h1");
        assertThat(addresses("acme/blue")).containsExactly(Map.entry("10.0.0.2", "a-1/0"));
        assertThat(feed.view().allocation("h1").orElseThrow().value().getAllocated().getNicMbps()).isEqualTo(100);
    }

    @Test
    void aRequestedAddressIsHonouredAndNeverHandedOutTwice() {
        vsis.create(null, spec("a-1", "acme", nic("blue").setIp("10.0.0.5")));

        assertThat(feed.view().vsi("a-1").orElseThrow().value().getSpec().getNics(0).getMac())
                .isEqualTo("0a:00:00:64:00:05");
        assertFabric(() -> vsis.create(null, spec("a-2", "acme", nic("blue").setIp("10.0.0.5"))),
                ErrorCode.ALREADY_EXISTS, "address 10.0.0.5 of network 'blue' in tenant 'acme' is already in use "
                        + "(vsi a-1)");
        assertThat(feed.view().vsi("a-2")).isEmpty();
        assertThat(addresses("acme/blue")).containsOnlyKeys("10.0.0.5");
    }

    @Test
    void anAddressOutsideTheNetworkOrReservedInItIsInvalid() {
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue").setIp("10.0.0.9"))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].ip': must be inside network 'blue' in tenant 'acme' "
                        + "(10.0.0.0/29) (got '10.0.0.9')");
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue").setIp("10.0.0.1"))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].ip': must not be the network address, the gateway "
                        + "(10.0.0.1) or the broadcast address of 10.0.0.0/29 (got '10.0.0.1')");
        assertThat(addresses("acme/blue")).isEmpty();
    }

    @Test
    void theNetworkMustBeOneOfTheVsisTenant() {
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("red"))), ErrorCode.NOT_FOUND,
                "network 'red' in tenant 'acme' not found");
        vsis.create(null, spec("ops-1", "", nic("blue")));
        assertThat(addresses("system/blue")).containsOnlyKeys("10.0.0.2");
        assertThat(addresses("acme/blue")).as("same name and CIDR, another tenant's network").isEmpty();
    }

    @Test
    void whatTheFabricAssignsARequestLeavesOutAndOneVnicPerNetwork() {
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue").setMac("52:54:00:12:34:56"))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].mac': is assigned by the fabric; leave it empty (got "
                        + "'52:54:00:12:34:56')");
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue").setVni(7))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].vni': is assigned by the fabric; leave it 0 (got 7)");
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue"), nic("jumbo"), nic("blue"))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[2].network': must differ from nics[0].network: a VSI has at "
                        + "most one vNIC per network (got 'blue' twice)");
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", NicSpec.newBuilder().setMbps(10))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].network': must name a network of the VSI's tenant");
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue").setIp("10.0.0"))),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].ip': must be an IPv4 address like 10.0.0.5, in canonical "
                        + "form (got '10.0.0')");
    }

    @Test
    void aVsiThatNoHostCanCarryIsRefusedNamingWhyAndTakesNoAddress() {
        assertFabric(() -> vsis.create(null, spec("a-1", "acme", nic("blue"), nic("jumbo"))),
                ErrorCode.RESOURCE_EXHAUSTED, "no host can take vsi 'a-1': no host fits vsi 'a-1' (1 host with an "
                        + "underlay MTU below 9050 (OverlayNetworkFit), 1 host without overlay networks "
                        + "(OverlayNetworkFit))");
        assertThat(addresses("acme/blue")).isEmpty();
        assertThat(addresses("acme/jumbo")).isEmpty();
        assertThat(feed.view().vsi("a-1")).isEmpty();
    }

    @Test
    void aDeleteFreesItsAddressesInTheSameTransaction() {
        vsis.create(null, spec("a-1", "acme", nic("blue"), nic("green").setIp("10.2.0.200")));
        vsis.create(null, spec("a-2", "acme", nic("blue")));
        assertThat(addresses("acme/blue")).containsOnlyKeys("10.0.0.2", "10.0.0.3");

        vsis.delete(null, "a-1", TenantScope.all());

        assertThat(addresses("acme/blue")).containsExactly(Map.entry("10.0.0.3", "a-2/0"));
        assertThat(addresses("acme/green")).isEmpty();
        vsis.create(null, spec("a-3", "acme", nic("blue")));
        assertThat(addresses("acme/blue")).containsEntry("10.0.0.2", "a-3/0");
    }
}
