package io.hvfabric.agent.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LinkTableTest {
    private static final String JSON = "["
            + "{\"ifindex\":4,\"ifname\":\"hvx100\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
            + "\"mtu\":1450,\"master\":\"hvb100\",\"address\":\"a6:af:19:3c:32:d6\",\"linkinfo\":{\"info_kind\":\"vxlan\","
            + "\"info_data\":{\"id\":100,\"local\":\"10.88.1.11\",\"link\":\"eth0\",\"port\":4789,\"learning\":true,"
            + "\"ageing\":300},\"info_slave_kind\":\"bridge\"}},"
            + "{\"ifindex\":3,\"ifname\":\"hvt1234567890a0\",\"flags\":[\"NO-CARRIER\",\"BROADCAST\",\"MULTICAST\",\"UP\"],"
            + "\"mtu\":1400,\"address\":\"02:a7:ab:f4:02:a4\",\"linkinfo\":{\"info_kind\":\"tun\",\"info_data\":{"
            + "\"type\":\"tap\",\"pi\":false,\"vnet_hdr\":false,\"multi_queue\":false,\"persist\":true}}},"
            + "{\"ifindex\":5,\"ifname\":\"hvb100\",\"flags\":[\"BROADCAST\",\"MULTICAST\"],\"mtu\":1450,"
            + "\"address\":\"a6:af:19:3c:32:d6\",\"linkinfo\":{\"info_kind\":\"bridge\",\"info_data\":{}}},"
            + "{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\"],\"mtu\":65536}]";

    @Test
    void linksAreReadWithKindMasterMtuAndVxlanIdentity() {
        LinkTable links = LinkTable.parse(JSON);
        assertThat(links.get("hvx100")).hasValueSatisfying(l -> {
            assertThat(l.kind()).isEqualTo("vxlan");
            assertThat(l.master()).isEqualTo("hvb100");
            assertThat(l.up()).isTrue();
            assertThat(l.vxlan()).hasValue(new LinkTable.Vxlan(100, "10.88.1.11", "eth0", 4789, true));
        });
        assertThat(links.get("hvt1234567890a0")).hasValueSatisfying(l -> {
            assertThat(l.kind()).isEqualTo("tap");
            assertThat(l.mtu()).isEqualTo(1400);
            assertThat(l.master()).isEmpty();
        });
        assertThat(links.get("hvb100").map(LinkTable.Link::up)).hasValue(false);
        assertThat(links.get("lo").map(LinkTable.Link::kind)).hasValue("");
        assertThat(links.withPrefix("hvt")).hasSize(1);
        assertThat(links.get("eth9")).isEqualTo(Optional.empty());
    }
}
