package io.hvfabric.scheduler.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each host's networks in its desired state: the networks its VSIs (any role) have vNICs on, with every other host
 * carrying each as a peer and the MACs that peer owns, through a migration of a-1 from h1 to h3 and its ownership
 * move. h1 and h2 report their VTEP; h3 does not, so its registered address stands in.
 */
class DesiredStatesNetworksTest {
    private static final String A1_MAC = "0a:00:00:64:00:02";
    private static final String A2_MAC = "0a:00:00:64:00:03";

    private final ViewFeed feed = new ViewFeed();
    private final DesiredStates desired = new DesiredStates(feed.view());

    @BeforeEach
    void cluster() {
        host("h1", "192.168.1.1");
        host("h2", "192.168.1.2");
        host("h3", "");
        feed.put(Keys.Kind.NETWORK, "acme/blue", Network.newBuilder().setName("blue").setTenant("acme")
                .setCidr("10.0.0.0/24").setMtu(1450).setGateway(true).setVni(100).setGatewayIp("10.0.0.1").build());
        vsi("a-1", "h1", "", nic(A1_MAC, "10.0.0.2"));
        vsi("a-2", "h2", "", nic(A2_MAC, "10.0.0.3"));
        vsi("a-3", "h1", "");
    }

    private void host(String id, String underlay) {
        feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress("10.9.0." + id.substring(1) + ":7100")
                .setCapabilities(HostCapabilities.newBuilder().setOverlayNetworks(true).setUnderlayMtu(1500)
                        .setUnderlayAddress(underlay))
                .build());
    }

    private static NicSpec nic(String mac, String ip) {
        return NicSpec.newBuilder().setNetwork("blue").setMac(mac).setIp(ip).setVni(100).setMbps(10).build();
    }

    private void vsi(String name, String host, String migration, NicSpec... nics) {
        feed.put(Keys.Kind.VSI, name, VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(64).setTenant("acme")
                        .addAllNics(List.of(nics)))
                .setHost(host).setDesired("RUNNING").setMigrationId(migration).build());
    }

    private void migration(Migration.Phase phase) {
        feed.put(Keys.Kind.MIGRATION, "m-1", Migration.newBuilder().setId("m-1").setName("a-1").setFrom("h1")
                .setTo("h3").setPhase(phase).build());
    }

    private static NetworkPeer peer(String host, String underlay, String... macs) {
        return NetworkPeer.newBuilder().setHost(host).setUnderlayAddress(underlay).addAllMacs(List.of(macs)).build();
    }

    private List<NetworkPeer> peersOf(String host) {
        DesiredState state = desired.desiredFor(host);
        assertThat(state.getNetworksList()).extracting(HostNetwork::getId).containsExactly("acme/blue");
        return state.getNetworks(0).getPeersList();
    }

    @Test
    void aHostCarriesTheNetworksOfItsVsisWithTheOtherCarriersAsPeers() {
        HostNetwork blue = desired.desiredFor("h1").getNetworks(0);

        assertThat(blue.getVni()).isEqualTo(100);
        assertThat(blue.getCidr()).isEqualTo("10.0.0.0/24");
        assertThat(blue.getGatewayIp()).isEqualTo("10.0.0.1");
        assertThat(blue.getGatewayMac()).isEqualTo("0a:00:00:64:00:01");
        assertThat(blue.getMtu()).isEqualTo(1450);
        assertThat(blue.getGateway()).isTrue();
        assertThat(blue.getPeersList()).containsExactly(peer("h2", "192.168.1.2", A2_MAC));
        assertThat(peersOf("h2")).containsExactly(peer("h1", "192.168.1.1", A1_MAC));
        assertThat(desired.desiredFor("h3").getNetworksList()).as("no VSI of h3 is on it").isEmpty();
    }

    @Test
    void duringAMigrationBothEndsCarryTheNetworkAndTheSourceStillOwnsTheMac() {
        migration(Migration.Phase.PRECOPY);
        vsi("a-1", "h1", "m-1", nic(A1_MAC, "10.0.0.2"));

        DesiredState target = desired.desiredFor("h3");
        assertThat(target.getVsisList()).extracting(VsiAssignment::getDesired).containsExactly("MIGRATING_IN");
        assertThat(peersOf("h3")).containsExactly(peer("h1", "192.168.1.1", A1_MAC),
                peer("h2", "192.168.1.2", A2_MAC));
        assertThat(peersOf("h1")).containsExactly(peer("h2", "192.168.1.2", A2_MAC), peer("h3", "10.9.0.3"));
        assertThat(peersOf("h2")).containsExactly(peer("h1", "192.168.1.1", A1_MAC), peer("h3", "10.9.0.3"));
    }

    @Test
    void theOwnershipCommitRepointsTheMacOnEveryHost() {
        migration(Migration.Phase.SWITCHOVER);
        vsi("a-1", "h1", "m-1", nic(A1_MAC, "10.0.0.2"));
        List<AgentCommand> toH2 = new CopyOnWriteArrayList<>();
        feed.put(Keys.Kind.LEADER, "694d7f3a", LeaderRecord.newBuilder().setId("sched-1").build());
        try (DesiredStates.Subscription subscription = desired.subscribe("h2", toH2::add)) {
            // The ownership commit: one transaction moves the VSI and ends the migration.
            migration(Migration.Phase.COMPLETED);
            vsi("a-1", "h3", "", nic(A1_MAC, "10.0.0.2"));

            assertThat(toH2).as("h2's VSIs did not change; its peers did").hasSizeGreaterThanOrEqualTo(2);
            assertThat(toH2.get(toH2.size() - 1).getDesired().getNetworks(0).getPeersList())
                    .containsExactly(peer("h3", "10.9.0.3", A1_MAC));
        }
        assertThat(desired.desiredFor("h1").getNetworksList()).as("h1 keeps only a-3, without vNICs").isEmpty();
        assertThat(peersOf("h3")).containsExactly(peer("h2", "192.168.1.2", A2_MAC));
    }
}
