package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HostNetworkParsingTest {
    @Test
    void parsesNamespaceListWithAndWithoutIds() {
        assertThat(HostNetwork.parseNamespaces("hvf-lab-h2 (id: 1)\nhvf-lab-h1\n\n")).containsExactly("hvf-lab-h2", "hvf-lab-h1");
    }

    @Test
    void parsesLinkNamesWithoutPeerSuffix() {
        String out = """
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT
                9: hvflabbr: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP
                10: hvflabh1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master hvflabbr
                """;
        assertThat(HostNetwork.parseLinks(out)).containsExactly("lo", "hvflabbr", "hvflabh1");
    }
}
