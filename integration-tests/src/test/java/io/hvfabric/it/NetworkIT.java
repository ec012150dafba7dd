package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.Metrics;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Tenant networks on a real 3-host lab: real QEMU guests with virtio-net on taps, a bridge and a VXLAN device per
 * network in each host's namespace, DHCP from the fabric, nftables anti-spoofing. Two tenants use the same CIDR and
 * the same network name; a guest of one can never reach the other's, nor a host's management address; a live
 * migration keeps a 10 ms ping going with a gap the size of the migration's downtime; the agents' /metrics count each
 * vNIC's traffic and each network's ports and peers; a drain keeps a networked guest reachable and takes the network
 * off the drained host.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkIT {
    private static final Pattern NET_LINE = Pattern.compile("hvf-net eth0 ([0-9.]+)/(\\d+) mtu=(\\d+)");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");
    private static TestLab lab;
    private static Hvctl hvctl;
    private static int vni;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(3, List.of());
        hvctl = lab.hvctl();
        hvctl.ok("tenant", "create", "acme");
        hvctl.ok("tenant", "create", "beta");
        JsonNode blue = hvctl.json("network", "create", "blue", "--tenant", "acme", "--cidr", "10.0.0.0/24");
        vni = blue.path("network").path("vni").asInt();
        hvctl.ok("network", "create", "blue", "--tenant", "beta", "--cidr", "10.0.0.0/24");
        create("a1", "acme", "host-1");
        create("a2", "acme", "host-2");
        create("b1", "beta", "host-2");
    }

    private static void create(String name, String tenant, String host) {
        hvctl.ok("vsi", "create", name, "--tenant", tenant, "--vcpus", "1", "--memory", "160", "--host", host,
                "--nic", "network=blue", "--wait");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void guestsGetTheirFabricAddressesByDhcpAndReachEachOtherAcrossHosts() {
        for (String vsi : List.of("a1", "a2", "b1")) {
            String assigned = nic(vsi).path("ip").asText();
            assertThat(assigned).startsWith("10.0.0.");
            String[] leased = awaitLease(vsi);
            assertThat(leased[0]).as(vsi + " leased what IPAM assigned").isEqualTo(assigned);
            assertThat(leased[1]).isEqualTo("24");
            assertThat(leased[2]).as("50 bytes below the underlay for VXLAN").isEqualTo("1450");
        }
        // Both tenants' first VSI got the same first address: the CIDRs are separate worlds.
        assertThat(ip("a1")).isEqualTo(ip("b1"));

        assertThat(ping("a1", ip("a2"))).as("a1 -> a2 across hosts").isTrue();
        assertThat(ping("a2", ip("a1"))).as("a2 -> a1 across hosts").isTrue();
    }

    @Test
    @Order(2)
    void anotherTenantsGuestWithTheSameCidrReachesNeither() {
        // b1 has a1's address in its own network; a2's address does not exist there.
        assertThat(ping("b1", ip("a2"))).isFalse();
        // a2 reaches a1 at that address, and the MAC it learnt for it is a1's, not b1's (same host as b1).
        assertThat(ping("a2", ip("a1"))).isTrue();
        String neighbours = exec("a2", "ip", "neigh", "show", ip("a1"));
        assertThat(neighbours).contains(nic("a1").path("mac").asText()).doesNotContain(nic("b1").path("mac").asText());
    }

    @Test
    @Order(3)
    void aSpoofedSourceAddressIsDroppedAndNoHostIsReachable() {
        // A second address on a1's own vNIC: whatever leaves with it is dropped at a1's tap.
        exec("a1", "ip", "addr", "add", "10.0.0.77/24", "dev", "eth0");
        assertThat(ping("a1", ip("a2"), "-I", "10.0.0.77")).as("spoofed source").isFalse();
        assertThat(ping("a1", ip("a2"))).as("its own address still works").isTrue();
        exec("a1", "ip", "addr", "del", "10.0.0.77/24", "dev", "eth0");
        // No route to the hosts' management network exists from the overlay, even with one added by hand.
        exec("a1", "ip", "route", "add", lab.lab().hostAddress("host-1") + "/32", "dev", "eth0");
        assertThat(ping("a1", lab.lab().hostAddress("host-1"))).as("host-1's management address").isFalse();
        assertThat(ping("a1", "10.0.0.1")).as("the DHCP server's address answers DHCP only").isFalse();
    }

    @Test
    @Order(4)
    void aLiveMigrationKeepsTheNetworkAndMovesTheFdbEntries() throws Exception {
        String mac = nic("a1").path("mac").asText();
        String oldTap = tapOf("host-1", "a1");
        assertThat(oldTap).as("a1's tap on host-1").isNotEmpty();
        // 10 ms pings from a2 to a1 for 25 s, in the background inside the guest.
        exec("a2", "/bin/sh", "-c", "ping -i 0.01 -w 25 " + ip("a1") + " > /tmp/ping.log 2>&1 &");
        Thread.sleep(3000);
        JsonNode migration = hvctl.run("vsi", "migrate", "a1", "--to", "host-3", "--wait", "-o", "json").json();
        assertThat(migration.path("status").asText()).as(migration.toString()).isEqualTo("COMPLETED");
        long downtimeMs = migration.path("downtimeMs").asLong();
        assertThat(migration.path("networkCutover").asText()).contains("host-3");

        Matcher summary = PING_SUMMARY.matcher("");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> summary.reset(exec("a2", "cat", "/tmp/ping.log")).find());
        long sent = Long.parseLong(summary.group(1));
        long received = Long.parseLong(summary.group(2));
        long gapMs = (sent - received) * 10;
        System.out.printf("NetworkIT: ping gap %d ms (%d of %d lost) for a migration with %d ms downtime%n",
                gapMs, sent - received, sent, downtimeMs);
        assertThat(sent).as("the ping ran").isGreaterThan(500);
        assertThat(gapMs).as("lost pings x 10 ms vs downtime %d ms", downtimeMs).isLessThanOrEqualTo(downtimeMs + 100);

        // Every other host carrying the network now sends a1's MAC to host-3; host-1 has nothing of a1 left.
        String host3 = lab.lab().hostAddress("host-3");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(fdb("host-2")).as("host-2's FDB").containsPattern(mac + " .*dst " + Pattern.quote(host3));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> tapOf("host-1", "a1").isEmpty());
        assertThat(links("host-1")).doesNotContain(oldTap + ":");
        assertThat(ping("a2", ip("a1"))).as("a2 -> a1 on host-3").isTrue();
    }

    @Test
    @Order(5)
    void placementRefusesABandwidthNoHostNicCarries() {
        Hvctl.Result r = hvctl.run("vsi", "create", "fat", "--tenant", "acme", "--vcpus", "1", "--memory", "160",
                "--nic", "network=blue,mbps=99000");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).containsIgnoringCase("nic");
        assertThat(hvctl.run("vsi", "show", "fat").exitCode()).isEqualTo(1);
    }

    @Test
    @Order(6)
    void theAgentsMetricsCountEachVnicsTrafficAndEachNetworksPortsAndPeers() {
        // a1 on host-3 and a2 on host-2 carry acme's network; b1 on host-2 beta's; host-1 carries none since a1 left.
        String host3 = agentMetricsAddress("host-3");
        VnicCounters before = VnicCounters.of(Metrics.scrape(host3), "a1");
        String pinged = exec("a1", "/bin/ping", "-c", "50", "-i", "0.02", "-W", "2", ip("a2"));
        assertThat(pinged).contains("50 packets transmitted, 50 packets received");

        String after = Metrics.scrape(host3);
        VnicCounters now = VnicCounters.of(after, "a1");
        // 50 echo requests out and 50 replies in, 98 bytes each on the wire (64 + ICMP 8 + IP 20 + Ethernet 14).
        assertThat(now.txPackets - before.txPackets).as("a1's vNIC sent").isGreaterThanOrEqualTo(50);
        assertThat(now.rxPackets - before.rxPackets).as("a1's vNIC received").isGreaterThanOrEqualTo(50);
        assertThat(now.txBytes - before.txBytes).isGreaterThanOrEqualTo(50 * 98);
        assertThat(now.rxBytes - before.rxBytes).isGreaterThanOrEqualTo(50 * 98);
        assertThat(now.dropped).as("the drop counters are exported").isGreaterThanOrEqualTo(0);
        // The peer's vNIC on host-2 counted the same exchange the other way round.
        VnicCounters a2 = VnicCounters.of(Metrics.scrape(agentMetricsAddress("host-2")), "a2");
        assertThat(a2.rxPackets).isGreaterThanOrEqualTo(50);
        assertThat(a2.txPackets).isGreaterThanOrEqualTo(50);

        // Per network: the vNICs on this host and the other hosts carrying it.
        assertThat(series(after, "hvf_agent_network_vnics", "acme/blue")).hasValue(1.0);
        assertThat(series(after, "hvf_agent_network_peers", "acme/blue")).as("host-2 (a2)").hasValue(1.0);
        assertThat(series(after, "hvf_agent_network_vnics", "beta/blue")).as("host-3 does not carry beta's").isEmpty();
        String host2 = Metrics.scrape(agentMetricsAddress("host-2"));
        assertThat(series(host2, "hvf_agent_network_vnics", "acme/blue")).hasValue(1.0);
        assertThat(series(host2, "hvf_agent_network_peers", "acme/blue")).as("host-3 (a1)").hasValue(1.0);
        assertThat(series(host2, "hvf_agent_network_vnics", "beta/blue")).hasValue(1.0);
        assertThat(series(host2, "hvf_agent_network_peers", "beta/blue")).hasValue(0.0);
        String host1 = Metrics.scrape(agentMetricsAddress("host-1"));
        assertThat(series(host1, "hvf_agent_network_vnics", "acme/blue")).as("host-1 after a1 left").isEmpty();
        assertThat(VnicCounters.find(host1, "hvf_agent_vnic_tx_packets", "a1")).isEmpty();
    }

    @Test
    @Order(7)
    void deletingAVsiFreesItsAddressAndARefusedCreateTakesNone() {
        JsonNode before = network("acme");
        int used = before.path("addressesUsed").asInt();
        String a2 = ip("a2");
        // Asking for a taken address is refused and allocates nothing.
        Hvctl.Result taken = hvctl.run("vsi", "create", "dup", "--tenant", "acme", "--vcpus", "1", "--memory", "160",
                "--nic", "network=blue,ip=" + a2);
        assertThat(taken.exitCode()).as(taken.err()).isEqualTo(1);
        assertThat(taken.err()).contains(a2);
        assertThat(network("acme").path("addressesUsed").asInt()).isEqualTo(used);

        hvctl.ok("vsi", "delete", "a2");
        JsonNode after = network("acme");
        assertThat(after.path("addressesUsed").asInt()).isEqualTo(used - 1);
        List<String> ips = new ArrayList<>();
        after.path("ports").forEach(p -> ips.add(p.path("ip").asText()));
        assertThat(ips).doesNotContain(a2);
        // The freed address is handed out again: the lowest free one.
        hvctl.ok("vsi", "create", "a3", "--tenant", "acme", "--vcpus", "1", "--memory", "160", "--host", "host-1",
                "--nic", "network=blue");
        assertThat(ip("a3")).isEqualTo(a2);
        // A network in use cannot be deleted.
        Hvctl.Result inUse = hvctl.run("network", "delete", "blue", "--tenant", "acme");
        assertThat(inUse.exitCode()).isEqualTo(1);
        assertThat(inUse.err()).contains("a1");
    }

    @Test
    @Order(8)
    void aDrainOfAHostWithANetworkedGuestKeepsItReachableAndTakesTheNetworkOffTheHost() {
        // a1 is alone on host-3; with host-1 cordoned the drain can only move it to host-2, away from its peer a3
        // (created on host-1 by the test before, booting meanwhile).
        JsonNode nicBefore = nic("a1");
        String host3 = lab.lab().hostAddress("host-3");
        hvctl.ok("host", "cordon", "host-1");
        JsonNode drain;
        try {
            drain = hvctl.run("host", "drain", "host-3", "--wait", "-o", "json").json();
            assertThat(drain.path("phase").asText()).as(drain.toString()).isEqualTo("COMPLETED");
        } finally {
            hvctl.ok("host", "uncordon", "host-1");
        }
        JsonNode a1 = hvctl.json("vsi", "show", "a1");
        assertThat(a1.path("host").asText()).isEqualTo("host-2");
        assertThat(a1.path("state").asText()).isEqualTo("RUNNING");
        JsonNode nicAfter = nic("a1");
        assertThat(nicAfter.path("ip").asText()).isEqualTo(nicBefore.path("ip").asText());
        assertThat(nicAfter.path("mac").asText()).isEqualTo(nicBefore.path("mac").asText());
        // The guest itself kept its lease and its MAC across the move.
        assertThat(exec("a1", "ip", "-o", "-4", "addr", "show", "eth0")).contains(ip("a1") + "/24");
        assertThat(exec("a1", "cat", "/sys/class/net/eth0/address").trim())
                .isEqualTo(nicBefore.path("mac").asText());

        // Across hosts both ways: a1 on host-2, a3 on host-1.
        awaitLease("a3");
        assertThat(ping("a1", ip("a3"))).as("a1 -> a3 after the drain").isTrue();
        assertThat(ping("a3", ip("a1"))).as("a3 -> a1 after the drain").isTrue();

        // host-3 carries nothing of the network any more: no bridge, no VXLAN device, no DHCP namespace.
        Pattern device = Pattern.compile("\\b(hvb|hvx)" + vni + "[:@]");
        String dhcpNamespace = namespace("host-3") + "-n" + vni;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(links("host-3")).doesNotContainPattern(device);
            assertThat(Shell.run("ip", "netns", "list")).doesNotContain(dhcpNamespace);
        });
        // No peer sends the network's traffic to host-3; host-1 sends a1's MAC to host-2.
        String host2 = lab.lab().hostAddress("host-2");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(fdb("host-1")).doesNotContain("dst " + host3 + " ")
                    .containsPattern(nicBefore.path("mac").asText() + " .*dst " + Pattern.quote(host2));
            assertThat(fdb("host-2")).doesNotContain("dst " + host3 + " ");
        });
        // The drain's migration recorded the network cut-over to host-2.
        String migrationId = drain.path("moves").path(0).path("migrationId").asText();
        assertThat(migrationId).as(drain.toString()).isNotEmpty();
        assertThat(hvctl.json("migration", "show", migrationId).path("networkCutover").asText()).contains("host-2");
    }

    // ---- helpers ----

    private static String agentMetricsAddress(String host) {
        String address = hvctl.json("host", "show", host).path("metricsAddress").asText();
        assertThat(address).as(host + "'s metricsAddress").matches("[0-9.]+:\\d+");
        return address;
    }

    /** The value of {@code name}'s sample labelled {@code network="<network>"}, or empty if there is none. */
    private static java.util.OptionalDouble series(String exposition, String name, String network) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") && line.contains("network=\"" + network + "\"")) {
                return java.util.OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return java.util.OptionalDouble.empty();
    }

    /** One vNIC's counters (nic 0 of {@code vsi}) as the agent exports them. */
    private record VnicCounters(long rxBytes, long txBytes, long rxPackets, long txPackets, long dropped) {
        static VnicCounters of(String exposition, String vsi) {
            return new VnicCounters(
                    need(exposition, "hvf_agent_vnic_rx_bytes", vsi), need(exposition, "hvf_agent_vnic_tx_bytes", vsi),
                    need(exposition, "hvf_agent_vnic_rx_packets", vsi),
                    need(exposition, "hvf_agent_vnic_tx_packets", vsi),
                    need(exposition, "hvf_agent_vnic_rx_dropped", vsi)
                            + need(exposition, "hvf_agent_vnic_tx_dropped", vsi));
        }

        private static long need(String exposition, String name, String vsi) {
            return find(exposition, name, vsi).orElseThrow(() -> new AssertionError(
                    "no " + name + " sample for " + vsi + " in:\n" + exposition.lines()
                            .filter(l -> l.startsWith("hvf_agent_vnic") || l.startsWith("hvf_agent_network"))
                            .reduce("", (a, b) -> a + b + "\n")));
        }

        static java.util.Optional<Long> find(String exposition, String name, String vsi) {
            for (String line : exposition.split("\n")) {
                // A counter is exposed with the _total suffix; labels in any order.
                if ((line.startsWith(name + "_total{") || line.startsWith(name + "{"))
                        && line.contains("vsi=\"" + vsi + "\"") && line.contains("nic=\"0\"")) {
                    return java.util.Optional.of((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
            return java.util.Optional.empty();
        }
    }

    private static JsonNode network(String tenant) {
        return hvctl.json("network", "show", "blue", "--tenant", tenant);
    }

    private static JsonNode nic(String vsi) {
        return hvctl.json("vsi", "show", vsi).path("spec").path("nics").path(0);
    }

    private static String ip(String vsi) {
        return nic(vsi).path("ip").asText();
    }

    /** The guest's own report of its lease, on its console: address, prefix, MTU. */
    private static String[] awaitLease(String vsi) {
        String[] lease = new String[3];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Matcher m = NET_LINE.matcher(hvctl.run("vsi", "console", vsi).out());
            if (!m.find()) {
                return false;
            }
            lease[0] = m.group(1);
            lease[1] = m.group(2);
            lease[2] = m.group(3);
            return true;
        });
        return lease;
    }

    /** Three pings, two seconds each at most; true when any answer came back. */
    private static boolean ping(String from, String to, String... options) {
        List<String> cmd = new ArrayList<>(List.of("vsi", "exec", from, "--timeout", "20", "--", "/bin/ping", "-c",
                "3", "-W", "2"));
        cmd.addAll(List.of(options));
        cmd.add(to);
        Hvctl.Result r = hvctl.run(cmd.toArray(String[]::new));
        return r.exitCode() == 0;
    }

    private static String exec(String vsi, String... command) {
        List<String> cmd = new ArrayList<>(List.of("vsi", "exec", vsi, "--timeout", "20", "--"));
        cmd.addAll(List.of(command));
        return hvctl.run(cmd.toArray(String[]::new)).out();
    }

    private static String namespace(String host) {
        return lab.lab().hostNamespace(host).orElseThrow();
    }

    private static String fdb(String host) {
        return Shell.run("ip", "netns", "exec", namespace(host), "bridge", "fdb", "show", "dev", "hvx" + vni);
    }

    private static String links(String host) {
        return Shell.run("ip", "-n", namespace(host), "-o", "link", "show");
    }

    /** The tap of {@code vsi}'s first vNIC on {@code host} (the agent names it in the tap's alias), or empty. */
    private static String tapOf(String host, String vsi) {
        for (String line : links(host).lines().toList()) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2 && parts[1].startsWith("hvt") && line.contains("alias vsi=" + vsi + " nic=0")) {
                return parts[1].split("@")[0];
            }
        }
        return "";
    }
}
