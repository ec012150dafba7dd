package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs against fake proc/ and sys/ trees shaped like the kernel's. */
@Timeout(10)
class NicDiscoveryTest {
    private static final String ROUTE_HEADER =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    @TempDir
    Path root;

    @Test
    void defaultRouteInterfaceWithReportedSpeed() throws Exception {
        route("veth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "veth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
        nic("veth0", "0x1003", "10000");
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("veth0", 10000, false));
    }

    @Test
    void speedMinusOneGetsTheDefault() throws Exception {
        route("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        nic("eth0", "0x1003", "-1");
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("eth0", 2500, true));
    }

    @Test
    void missingSpeedFileGetsTheDefault() throws Exception {
        route("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        nic("eth0", "0x1003", null);
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("eth0", 2500, true));
    }

    @Test
    void unreadableSpeedGetsTheDefault() throws Exception {
        route("veth1\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        nic("veth1", "0x1003", null);
        // Reading a directory fails like sysfs's EINVAL for a link with no speed.
        Files.createDirectory(root.resolve("sys/class/net/veth1/speed"));
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("veth1", 2500, true));
    }

    @Test
    void lowestMetricDefaultRouteWins() throws Exception {
        route("wlan0\t00000000\t010200C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                + "eth1\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                + "eth2\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"); // not RTF_UP
        nic("wlan0", "0x1003", "300");
        nic("eth1", "0x1003", "25000");
        nic("eth2", "0x1003", "100000");
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("eth1", 25000, false));
    }

    @Test
    void withoutDefaultRouteTakesFirstUpNonLoopbackInterface() throws Exception {
        route("");
        nic("lo", "0x9", null);
        nic("eth0", "0x1002", "1000"); // down
        nic("ifb0", "0x82", null); // down
        nic("veth9", "0x1003", "10000");
        assertThat(new NicDiscovery(root, 2500).discover()).contains(new NicInfo("veth9", 10000, false));
    }

    @Test
    void onlyLoopbackMeansNoNic() throws Exception {
        nic("lo", "0x9", null);
        assertThat(new NicDiscovery(root, 2500).discover()).isEmpty();
    }

    private void route(String rows) throws Exception {
        Files.createDirectories(root.resolve("proc/net"));
        Files.writeString(root.resolve("proc/net/route"), ROUTE_HEADER + rows);
    }

    private void nic(String name, String flags, String speed) throws Exception {
        Path dir = Files.createDirectories(root.resolve("sys/class/net").resolve(name));
        Files.writeString(dir.resolve("flags"), flags + "\n");
        if (speed != null) {
            Files.writeString(dir.resolve("speed"), speed + "\n");
        }
    }
}
