package io.hvfabric.agent.network;

import static io.hvfabric.agent.network.Fixtures.network;
import static io.hvfabric.agent.network.Fixtures.nic;
import static io.hvfabric.agent.network.Fixtures.peer;
import static io.hvfabric.agent.network.Fixtures.vsi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaneSpecTest {
    @Test
    void aHostNetworkIsValidatedFieldByField() {
        NetworkSpec n = NetworkSpec.of(network(100).setMtu(0).addPeers(peer("h2", "10.88.1.12", "0a:00:00:64:00:03"))
                .build());
        assertThat(n.mtu()).isEqualTo(NetworkSpec.DEFAULT_MTU);
        assertThat(n.cidr().netmask()).isEqualTo("255.255.255.0");
        assertThat(n.peers()).singleElement().satisfies(p -> assertThat(p.macs()).containsExactly("0a:00:00:64:00:03"));

        assertThatThrownBy(() -> NetworkSpec.of(network(100).setCidr("10.0.0.1/24").build()))
                .hasMessageContaining("networks[vni=100].cidr").hasMessageContaining("host bits zero");
        assertThatThrownBy(() -> NetworkSpec.of(network(100).setGatewayIp("10.0.1.1").build()))
                .hasMessageContaining("gateway_ip").hasMessageContaining("must lie in 10.0.0.0/24");
        assertThatThrownBy(() -> NetworkSpec.of(network(100).setGatewayMac("0A:00:00:64:00:01").build()))
                .hasMessageContaining("gateway_mac");
        assertThatThrownBy(() -> NetworkSpec.of(network(100).addPeers(peer("h2", "10.88.1.12; reboot")).build()))
                .hasMessageContaining("peers[h2].underlay_address");
        assertThatThrownBy(() -> NetworkSpec.of(network(100).setMtu(100).build())).hasMessageContaining("mtu");
        assertThatThrownBy(() -> NetworkSpec.of(network(100).setVni(0).build())).hasMessageContaining("vni");
    }

    @Test
    void eachNicBecomesAPortOnItsNetworkWithTheNetworksMtu() {
        NetworkSpec a = NetworkSpec.of(network(100).setMtu(1400).build());
        NetworkSpec b = NetworkSpec.of(network(101).build());
        Map<String, String> refused = new HashMap<>();
        PlaneSpec spec = PlaneSpec.of(List.of(a, b), List.of(
                vsi("web-1", nic(100, "0a:00:00:64:00:05", "10.0.0.5", 100), nic(101, "0a:00:00:65:00:05", "", 0)),
                vsi("db-1")), refused);

        assertThat(refused).isEmpty();
        assertThat(spec.ports()).extracting(VsiPort::vsi, VsiPort::index, VsiPort::tap, VsiPort::mtu, VsiPort::mbps)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("web-1", 0, NetNames.tap("web-1", 0), 1400, 100L),
                        org.assertj.core.groups.Tuple.tuple("web-1", 1, NetNames.tap("web-1", 1), 1450, 0L));
        assertThat(spec.portsOn(101)).singleElement().satisfies(p -> assertThat(p.ip()).isEmpty());
        assertThat(VsiNetworking.nic(spec.ports().get(0))).satisfies(n -> {
            assertThat(n.id()).isEqualTo("net0");
            assertThat(n.mtu()).isEqualTo(1400);
        });
    }

    @Test
    void aVsiWhoseNetworkIsNotCarriedHereIsRefusedWithTheReason() {
        Map<String, String> refused = new HashMap<>();
        PlaneSpec spec = PlaneSpec.of(List.of(NetworkSpec.of(network(100).build())), List.of(
                vsi("ok", nic(100, "0a:00:00:64:00:05", "10.0.0.5", 0)),
                vsi("lost", nic(100, "0a:00:00:64:00:06", "10.0.0.6", 0), nic(102, "0a:00:00:66:00:06", "", 0)),
                vsi("nomac", nic(100, "", "10.0.0.7", 0)),
                vsi("outside", nic(100, "0a:00:00:64:00:08", "10.0.9.8", 0))), refused);

        assertThat(spec.ports()).extracting(VsiPort::vsi).containsExactly("ok");
        assertThat(refused.get("lost")).contains("nics[1]", "vni 102", "not among this host's networks");
        assertThat(refused.get("nomac")).contains("no MAC address assigned");
        assertThat(refused.get("outside")).contains("10.0.9.8 is outside 10.0.0.0/24");
    }

    @Test
    void mergedNetworksPreferTheFresherCopy() {
        NetworkSpec desired = NetworkSpec.of(network(100).addPeers(peer("h2", "10.88.1.12")).build());
        NetworkSpec held = NetworkSpec.of(network(100).build());
        NetworkSpec onlyHeld = NetworkSpec.of(network(101).build());
        assertThat(PlaneSpec.merge(List.of(desired), List.of(held, onlyHeld)))
                .containsEntry(100, desired).containsEntry(101, onlyHeld).hasSize(2);
    }
}
