package io.hvfabric.agent.network;

import static io.hvfabric.agent.network.Fixtures.network;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsmasqCommandTest {
    private static final Path DIR = Path.of("/var/lib/hvfabric/networks/100");

    @Test
    void staticLeasesOnlyNoDnsNoLeaseFile() {
        List<String> argv = DnsmasqCommand.argv(NetworkSpec.of(network(100).build()), DIR);
        assertThat(argv.get(0)).isEqualTo("dnsmasq");
        assertThat(argv).contains("--port=0", "--bind-interfaces", "--interface=hvg100",
                "--dhcp-range=10.0.0.0,static,255.255.255.0,infinite",
                "--dhcp-hostsfile=/var/lib/hvfabric/networks/100/hosts", "--dhcp-option=option:router,10.0.0.1",
                "--dhcp-option=option:mtu,1450", "--leasefile-ro", "--conf-file=/dev/null",
                "--pid-file=/var/lib/hvfabric/networks/100/dnsmasq.pid");
    }

    @Test
    void withoutGatewayNoRouterIsOffered() {
        List<String> argv = DnsmasqCommand.argv(NetworkSpec.of(network(100).setGateway(false).build()), DIR);
        assertThat(argv).contains("--dhcp-option=3").noneMatch(a -> a.startsWith("--dhcp-option=option:router"));
    }

    @Test
    void theHostsFileHoldsEveryVnicWithAnAddressSorted() {
        List<VsiPort> ports = List.of(
                new VsiPort("b", 0, "hvt2", "0a:00:00:64:00:09", "10.0.0.9", 100, 1450, 0, "t/n"),
                new VsiPort("a", 0, "hvt1", "0a:00:00:64:00:05", "10.0.0.5", 100, 1450, 0, "t/n"),
                new VsiPort("c", 0, "hvt3", "0a:00:00:64:00:07", "", 100, 1450, 0, "t/n"));
        assertThat(DnsmasqCommand.hosts(ports)).isEqualTo("0a:00:00:64:00:05,10.0.0.5\n0a:00:00:64:00:09,10.0.0.9\n");
        assertThat(DnsmasqCommand.hosts(List.of())).isEmpty();
    }
}
