package io.hvfabric.scheduler.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a migration target is told to carry before QEMU -incoming, and the note its completion records. */
class VsiNetworksTest {
    private final ViewFeed feed = new ViewFeed();

    @BeforeEach
    void cluster() {
        for (String id : List.of("h1", "h2", "h3")) {
            feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress("10.9.0." + id.substring(1)
                    + ":7100").build());
        }
        feed.put(Keys.Kind.NETWORK, "acme/blue", Network.newBuilder().setName("blue").setTenant("acme")
                .setCidr("10.0.0.0/24").setMtu(1400).setVni(100).setGatewayIp("10.0.0.1").build());
        feed.put(Keys.Kind.NETWORK, "acme/red", Network.newBuilder().setName("red").setTenant("acme")
                .setCidr("10.1.0.0/24").setMtu(1450).setVni(101).setGatewayIp("10.1.0.1").build());
        vsi("a-1", "h1", "m-1", nic("blue", "0a:00:00:64:00:02"), nic("red", "0a:00:00:65:00:02"));
        vsi("a-2", "h2", "", nic("blue", "0a:00:00:64:00:03"));
        feed.put(Keys.Kind.MIGRATION, "m-1", Migration.newBuilder().setId("m-1").setName("a-1").setFrom("h1")
                .setTo("h3").setPhase(Migration.Phase.PREPARING_TARGET).build());
    }

    private static NicSpec nic(String network, String mac) {
        return NicSpec.newBuilder().setNetwork(network).setMac(mac).build();
    }

    private void vsi(String name, String host, String migration, NicSpec... nics) {
        feed.put(Keys.Kind.VSI, name, VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setTenant("acme").addAllNics(List.of(nics)))
                .setHost(host).setMigrationId(migration).build());
    }

    private VsiSpec spec(String name) {
        return feed.view().vsi(name).orElseThrow().value().getSpec();
    }

    @Test
    void theTargetCarriesEachNetworkWithEveryOtherCarrierAsAPeer() {
        List<HostNetwork> networks = VsiNetworks.forTarget(feed.view(), spec("a-1"), "h3");

        assertThat(networks).extracting(HostNetwork::getId).containsExactly("acme/blue", "acme/red");
        assertThat(networks.get(0).getPeersList()).containsExactly(
                NetworkPeer.newBuilder().setHost("h1").setUnderlayAddress("10.9.0.1")
                        .addMacs("0a:00:00:64:00:02").build(),
                NetworkPeer.newBuilder().setHost("h2").setUnderlayAddress("10.9.0.2")
                        .addMacs("0a:00:00:64:00:03").build());
        assertThat(networks.get(1).getPeersList()).extracting(NetworkPeer::getHost).containsExactly("h1");
        assertThat(VsiNetworks.mtu(feed.view(), spec("a-1"))).isEqualTo(1450);
        assertThat(VsiNetworks.forTarget(feed.view(), VsiSpec.newBuilder().setName("x").build(), "h3")).isEmpty();
    }

    @Test
    void theCutoverNoteNamesTheNetworksJoinedAndTheMacsRepointed() {
        assertThat(VsiNetworks.cutoverNote(feed.view(), spec("a-1"), "h3")).contains("joined vni 100 (acme/blue), "
                + "vni 101 (acme/red) on h3 before switchover; 2 MACs repointed on 2 peers at the ownership commit");
        assertThat(VsiNetworks.cutoverNote(feed.view(), VsiSpec.newBuilder().setName("x").build(), "h3")).isEmpty();
        assertThat(NetworkCutover.note("h2", List.of(HostNetwork.newBuilder().setId("acme/blue").setVni(100)
                .addPeers(NetworkPeer.newBuilder().setHost("h1")).build()), 1))
                .isEqualTo("joined vni 100 (acme/blue) on h2 before switchover; 1 MAC repointed on 1 peer at the "
                        + "ownership commit");
    }
}
