package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real namespaces, veths and a bridge: needs root on Linux. */
@Timeout(60)
class HostNetworkIT {
    private final CommandRunner shell = new CommandRunner();
    private LabNames names;
    private HostNetwork network;

    @BeforeEach
    void rootOnly() {
        assumeTrue(Platform.isLinuxRoot(), "needs root on Linux");
        names = new LabNames("n" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36));
        network = new HostNetwork(names, shell, 0);
    }

    @AfterEach
    void cleanUp() {
        if (network != null) {
            network.destroy();
        }
    }

    @Test
    void hostsReachEachOtherAndTheBridgeThenVanishOnDestroy() {
        network.create(2);

        assertThat(network.subnet()).isBetween(1, 250);
        assertThat(network.infraAddress()).isEqualTo("10.88." + network.subnet() + ".1");
        assertThat(network.hostAddress(2)).isEqualTo("10.88." + network.subnet() + ".12");
        assertThat(shell.run(List.of("ip", "-n", names.namespace(1), "-4", "-o", "addr", "show", "dev", "eth0")))
                .contains(network.hostAddress(1) + "/24");
        assertThat(shell.run(List.of("ip", "-n", names.namespace(1), "route", "show", "default")))
                .contains("via " + network.infraAddress());
        assertThat(ping(1, network.hostAddress(2))).isTrue();
        assertThat(ping(2, network.infraAddress())).isTrue();

        network.destroy();

        assertThat(shell.run(List.of("ip", "netns", "list"))).doesNotContain(names.namespace(1), names.namespace(2));
        assertThat(HostNetwork.existingLinks(shell, names)).isEmpty();
        network.destroy(); // idempotent
    }

    @Test
    void destroyRemovesHalfCreatedLeftovers() {
        shell.run(List.of("ip", "netns", "add", names.namespace(4)));
        shell.run(List.of("ip", "link", "add", names.rootVeth(4), "type", "veth", "peer", "name", names.peerVeth(4)));
        shell.run(List.of("ip", "netns", "add", names.networkNamespace(4, 100)));

        network.destroy();

        assertThat(HostNetwork.existingNamespaces(shell, names)).isEmpty();
        assertThat(HostNetwork.existingLinks(shell, names)).isEmpty();
    }

    @Test
    void aHostsNetworkNamespacesAndTheLinksIntoThemGoWithTheLab() {
        network.create(1);
        String host = names.namespace(1);
        String dhcp = names.networkNamespace(1, 100);
        // As an agent does it: a bridge and a veth whose other leg lies in the network's namespace.
        shell.run(List.of("ip", "netns", "add", dhcp));
        shell.run(List.of("ip", "-n", host, "link", "add", "hvb100", "type", "bridge"));
        shell.run(List.of("ip", "-n", host, "link", "add", "hvn100", "type", "veth", "peer", "name", "hvd100",
                "netns", dhcp));
        shell.run(List.of("ip", "-n", host, "link", "set", "hvn100", "master", "hvb100"));
        assertThat(HostNetwork.existingNamespaces(shell, names)).containsExactlyInAnyOrder(host, dhcp);

        network.destroy();

        assertThat(HostNetwork.parseNamespaces(shell.run(List.of("ip", "netns", "list")))).doesNotContain(host, dhcp);
        assertThat(HostNetwork.existingLinks(shell, names)).isEmpty();
    }

    private boolean ping(int fromHost, String address) {
        return shell.attempt(List.of("ip", "netns", "exec", names.namespace(fromHost), "ping", "-c", "1", "-W", "2", address))
                .ok();
    }
}
