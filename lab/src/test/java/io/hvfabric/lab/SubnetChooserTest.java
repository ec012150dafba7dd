package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SubnetChooserTest {
    @Test
    void picksLowestSubnetNotSeenInAddressesOrRoutes() {
        String addrs = """
                1: lo    inet 127.0.0.1/8 scope host lo
                4: eth0    inet 10.88.1.5/24 brd 10.88.1.255 scope global eth0
                7: hvfabr    inet 10.88.2.1/24 scope global hvfabr
                """;
        String routes = "10.88.3.0/24 via 172.16.0.1 dev eth0\nlocal 10.88.1.5 dev eth0 table local\n";
        assertThat(SubnetChooser.used(addrs + routes)).containsExactly(1, 2, 3);
        assertThat(SubnetChooser.choose(addrs + routes)).isEqualTo(4);
    }

    @Test
    void ignoresOtherTenNetworks() {
        assertThat(SubnetChooser.choose("inet 10.8.1.1/24\ninet 110.88.1.1/24\n10.188.1.0/24 dev x")).isEqualTo(1);
    }
}
