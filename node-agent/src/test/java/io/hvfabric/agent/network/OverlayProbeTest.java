package io.hvfabric.agent.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.FabricException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OverlayProbeTest {
    private static final Underlay ETH0 = new Underlay("eth0", "10.88.1.11", 1500);
    private static final OverlayProbe.Facts READY = new OverlayProbe.Facts(true, List.of(), Optional.of(ETH0), "");
    private static final OverlayProbe.Facts LACKING = new OverlayProbe.Facts(false, List.of("nft", "dnsmasq"),
            Optional.empty(), "underlay device eth0 has no IPv4 address");

    @Test
    void autoRunsTheDataPlaneWhereItCan() {
        OverlayDecision d = OverlayProbe.decide(OverlayMode.AUTO, false, READY);
        assertThat(d.kind()).isEqualTo(OverlayDecision.Kind.REAL);
        assertThat(d.overlayNetworks()).isTrue();
        assertThat(d.underlay()).hasValue(ETH0);
        assertThat(d.reason()).isEqualTo("underlay eth0 10.88.1.11 (MTU 1500)");
    }

    @Test
    void autoSaysWhyItCannot() {
        OverlayDecision d = OverlayProbe.decide(OverlayMode.AUTO, false, LACKING);
        assertThat(d.kind()).isEqualTo(OverlayDecision.Kind.OFF);
        assertThat(d.overlayNetworks()).isFalse();
        assertThat(d.reason()).isEqualTo("the agent is not root; not installed: nft, dnsmasq; underlay device eth0 has"
                + " no IPv4 address");
    }

    @Test
    void onRefusesToStartWhereItCannot() {
        assertThatThrownBy(() -> OverlayProbe.decide(OverlayMode.ON, false, LACKING))
                .isInstanceOf(FabricException.class).hasMessageContaining("--overlay=on, but the agent is not root");
        assertThat(OverlayProbe.decide(OverlayMode.ON, false, READY).kind()).isEqualTo(OverlayDecision.Kind.REAL);
    }

    @Test
    void offAndTheFakeDriverNeverTouchTheHost() {
        assertThat(OverlayProbe.decide(OverlayMode.OFF, false, READY).kind()).isEqualTo(OverlayDecision.Kind.OFF);
        OverlayDecision fake = OverlayProbe.decide(OverlayMode.AUTO, true, LACKING);
        assertThat(fake.kind()).isEqualTo(OverlayDecision.Kind.SIMULATED);
        assertThat(fake.overlayNetworks()).isTrue();
        assertThat(OverlayMode.parse("on")).isEqualTo(OverlayMode.ON);
        assertThatThrownBy(() -> OverlayMode.parse("yes")).hasMessageContaining("--overlay");
    }

    @Test
    void theUnderlayIsTheDevicesFirstIpv4AddressAndItsMtu() {
        String json = "[{\"ifindex\":2,\"ifname\":\"eth0\",\"mtu\":9000,\"addr_info\":[{\"family\":\"inet\","
                + "\"local\":\"10.88.1.11\",\"prefixlen\":24},{\"family\":\"inet\",\"local\":\"10.88.1.99\"}]}]";
        assertThat(OverlayProbe.underlay("eth0", json)).hasValue(new Underlay("eth0", "10.88.1.11", 9000));
        assertThat(OverlayProbe.underlay("eth0", "[{\"ifname\":\"eth0\",\"mtu\":1500,\"addr_info\":[]}]")).isEmpty();
        assertThat(OverlayProbe.underlay("eth0", "")).isEmpty();
    }
}
