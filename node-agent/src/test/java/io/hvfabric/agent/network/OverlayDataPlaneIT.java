package io.hvfabric.agent.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two "hosts" (network namespaces on an underlay bridge, itself in a namespace) each run the real data plane through a
 * prefixed runner; "guests" are namespaces plugged in by a veth named like the tap QEMU would get. Two networks share
 * one CIDR: A (vni 100, with gateway) and B (vni 101, without), each with a guest on each host. Everything of the run
 * is named {@code hvt-it-<random>-*} and removed afterwards, whatever happened.
 */
@Timeout(150)
@TestMethodOrder(OrderAnnotation.class)
class OverlayDataPlaneIT {
    private static final String RUN = "hvt-it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private static final String H1_ADDR = "192.0.2.1";
    private static final String H2_ADDR = "192.0.2.2";
    private static final String H3_ADDR = "192.0.2.3"; // a peer that exists only in desired states

    private static final Guest A1 = new Guest("vm-a1", "g1", 100, "0a:00:00:64:00:02", "10.0.0.2", 0);
    private static final Guest A2 = new Guest("vm-a2", "g2", 100, "0a:00:00:64:00:03", "10.0.0.3", 100);
    private static final Guest B1 = new Guest("vm-b1", "g3", 101, "0a:00:00:65:00:09", "10.0.0.9", 0);
    private static final Guest B2 = new Guest("vm-b2", "g4", 101, "0a:00:00:65:00:05", "10.0.0.5", 0);

    /** h1's desired state once a2's MAC is said to be on h3 (which does not exist) and h2 carries network A no more. */
    private static final DesiredState STALE = desired(List.of(A1, B1),
            Map.of(100, peer("h3", H3_ADDR, A2.mac()), 101, peer("h2", H2_ADDR, B2.mac())));
    /** What QEMU sends for each NIC after an incoming migration resumes: a broadcast RARP request from the guest's MAC. */
    private static final String RARP = String.join("\n",
            "import socket, sys",
            "mac = bytes.fromhex(sys.argv[1].replace(':', ''))",
            "frame = b'\\xff' * 6 + mac + b'\\x80\\x35' + bytes([0, 1, 8, 0, 6, 4, 0, 3]) + mac + bytes(4) + mac"
                    + " + bytes(4) + bytes(18)",
            "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
            "s.bind(('eth0', 0))",
            "s.send(frame)");

    private static NamespaceLab lab;
    private static Path state;
    private static Host h1;
    private static Host h2;

    /** A guest namespace behind the tap of its VSI's nic 0. */
    private record Guest(String vsi, String suffix, int vni, String mac, String ip, long mbps) {
        String ns() {
            return lab.name(suffix);
        }

        String tap() {
            return NetNames.tap(vsi, 0);
        }

        CommandRunner sh() {
            return lab.in(ns());
        }

        VsiAssignment assignment() {
            return VsiAssignment.newBuilder().setDesired("RUNNING").setSpec(VsiSpec.newBuilder().setName(vsi)
                    .setVcpus(1).setMemoryMib(64).addNics(NicSpec.newBuilder().setNetwork("net" + vni)
                            .setVni(vni).setMac(mac).setIp(ip).setMbps(mbps))).build();
        }
    }

    /** One host namespace and its agent's data plane. */
    private static final class Host {
        final String ns;
        final String address;
        final Path stateRoot;
        final Underlay underlay;
        OverlayNetworking networking;

        Host(String suffix, String address) {
            this.ns = lab.name(suffix);
            this.address = address;
            this.stateRoot = state.resolve(suffix);
            this.underlay = new Underlay("eth0", address, 1500);
            restartAgent();
        }

        /** A new agent: nothing in memory, only what the kernel holds. */
        void restartAgent() {
            networking = new OverlayNetworking(new OverlayDataPlane(CommandRunner.inNetns(ns), CommandRunner.local(),
                    underlay, ns + "-n", stateRoot));
        }

        CommandRunner sh() {
            return CommandRunner.inNetns(ns);
        }

        void converge(DesiredState desired) {
            networking.converge(desired);
            assertThat(networking.problems()).as("data plane problems on " + ns).isEmpty();
        }

        String dhcpNamespace(int vni) {
            return ns + "-n" + vni;
        }

        Path dhcpDir(int vni) {
            return stateRoot.resolve(Integer.toString(vni));
        }

        List<FdbEntry> fdb(int vni) {
            return VxlanFdb.parse(sh().run("bridge", "-j", "-s", "fdb", "show", "dev", NetNames.vxlan(vni)).stdout());
        }

        String links() {
            return sh().run("ip", "-br", "link").stdout();
        }

        String nft() {
            return sh().attempt("nft", "list", "table", "bridge", NftRuleset.TABLE).stdout();
        }
    }

    @BeforeAll
    static void hosts() throws IOException {
        assumeTrue(OverlayProbe.effectiveUid() == 0, "needs root");
        for (String tool : List.of("ip", "bridge", "tc", "nft", "sysctl", "dnsmasq", "busybox", "ping")) {
            assumeTrue(CommandRunner.available(tool), tool + " is not installed");
        }
        lab = new NamespaceLab(RUN);
        // dnsmasq re-reads its hosts file as nobody: the state directories must be traversable by others.
        state = Files.createTempDirectory(RUN);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));

        String underlay = lab.add("u");
        lab.in(underlay).run("ip", "link", "add", "br0", "type", "bridge");
        lab.in(underlay).run("ip", "link", "set", "br0", "up");
        int i = 1;
        for (String address : List.of(H1_ADDR, H2_ADDR)) {
            String host = lab.add("h" + i);
            lab.veth(underlay, "u" + i, host, "eth0");
            lab.in(underlay).run("ip", "link", "set", "u" + i, "master", "br0");
            lab.in(host).run("ip", "addr", "add", address + "/24", "dev", "eth0");
            i++;
        }
        h1 = new Host("h1", H1_ADDR);
        h2 = new Host("h2", H2_ADDR);
        for (Guest g : List.of(A1, A2, B1, B2)) {
            lab.add(g.suffix());
            lab.veth(g == A1 || g == B1 ? h1.ns : h2.ns, g.tap(), g.ns(), "eth0");
            g.sh().run("ip", "link", "set", "eth0", "address", g.mac());
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (lab == null) {
            return;
        }
        lab.close(); // hosts, guests, DHCP namespaces, and every process in them (dnsmasq)
        try (Stream<Path> files = Files.walk(state)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @Order(1)
    void guestsOnTwoHostsGetTheirAddressesByDhcpAndReachEachOther() {
        h1.converge(desired(List.of(A1, B1), Map.of(100, peer("h2", H2_ADDR, A2.mac()), 101, peer("h2", H2_ADDR, B2.mac()))));
        h2.converge(desired(List.of(A2, B2), Map.of(100, peer("h1", H1_ADDR, A1.mac()), 101, peer("h1", H1_ADDR, B1.mac()))));

        assertThat(dhcp(A1)).contains("ip=10.0.0.2 ", "mask=24", "router=10.0.0.1 ");
        assertThat(dhcp(A2)).contains("ip=10.0.0.3 ", "router=10.0.0.1 ");
        assertThat(dhcp(B1)).contains("ip=10.0.0.9 ", "router= "); // network B offers no router
        assertThat(dhcp(B2)).contains("ip=10.0.0.5 ");

        assertThat(ping(A1, A2.ip())).as("a1 -> a2 across the overlay").isTrue();
        assertThat(ping(B1, B2.ip())).as("b1 -> b2 across the overlay").isTrue();
        // Exactly the desired entries: nothing else (the hosts' own frames, the gateway) crossed and was learned.
        assertThat(h1.fdb(100)).extracting(FdbEntry::mac, FdbEntry::dst)
                .containsExactlyInAnyOrder(tuple(FdbEntry.FLOOD, H2_ADDR), tuple(A2.mac(), H2_ADDR));
        // Each host's guests were answered by their own host: the other's dnsmasq never saw them.
        assertThat(dnsmasqLog(h2, 100)).doesNotContain(A1.mac()).contains(A2.mac());
        assertThat(dnsmasqLog(h1, 100)).doesNotContain(A2.mac()).contains(A1.mac());
    }

    @Test
    @Order(2)
    void aNetworkWithTheSameCidrIsIsolated() {
        assertThat(ping(B1, A2.ip())).as("b1 (net B) -> a2's address").isFalse();
        assertThat(ping(B1, A1.ip())).as("b1 (net B) -> a1's address, same host").isFalse();
        assertThat(ping(B2, A2.ip())).as("b2 (net B) -> a2's address, same host").isFalse();
    }

    @Test
    @Order(3)
    void spoofedSourceIpAndMacAreDropped() {
        CommandRunner a2 = A2.sh();
        a2.run("nft", "add", "table", "inet", "probe");
        a2.run("nft", "add", "chain", "inet", "probe", "in", "{ type filter hook input priority 0; }");
        a2.run("nft", "add", "rule", "inet", "probe", "in", "ip", "saddr", A1.ip(), "icmp", "type", "echo-request",
                "counter");
        a2.run("nft", "add", "rule", "inet", "probe", "in", "ip", "saddr", "10.0.0.77", "icmp", "type",
                "echo-request", "counter");
        CommandRunner a1 = A1.sh();
        // No ARP in the way: a1 knows a2's MAC, so only the rule on a1's tap can stop the frames.
        a1.run("ip", "neigh", "replace", A2.ip(), "lladdr", A2.mac(), "dev", "eth0", "nud", "permanent");
        assertThat(ping(A1, A2.ip())).isTrue();
        long legit = probeCount(a2, A1.ip());
        assertThat(legit).isPositive();

        a1.run("ip", "addr", "add", "10.0.0.77/32", "dev", "eth0");
        assertThat(a1.attempt("ping", "-c", "2", "-i", "0.2", "-W", "1", "-I", "10.0.0.77", A2.ip()).ok()).isFalse();
        a1.run("ip", "addr", "del", "10.0.0.77/32", "dev", "eth0");
        assertThat(probeCount(a2, "10.0.0.77")).as("echo requests from a spoofed IP that arrived").isZero();

        a1.run("ip", "link", "set", "eth0", "address", "0a:00:00:64:00:99");
        assertThat(ping(A1, A2.ip())).as("ping with a spoofed MAC").isFalse();
        a1.run("ip", "link", "set", "eth0", "address", A1.mac());
        assertThat(probeCount(a2, A1.ip())).as("echo requests from the spoofed MAC that arrived").isEqualTo(legit);
        assertThat(ping(A1, A2.ip())).as("its own MAC again").isTrue();
    }

    @Test
    @Order(4)
    void aGuestCannotReachItsHost() {
        CommandRunner a1 = A1.sh();
        a1.run("ip", "route", "add", H1_ADDR + "/32", "dev", "eth0");
        assertThat(a1.attempt("ping", "-c", "2", "-i", "0.2", "-W", "1", H1_ADDR).ok()).isFalse();
        // Even addressed to the bridge's own MAC, it stops at the host's bridge input hook.
        String bridgeMac = LinkTable.parse(h1.sh().run("ip", "-j", "link", "show", NetNames.bridge(100)).stdout())
                .get(NetNames.bridge(100)).orElseThrow().mac();
        a1.run("ip", "neigh", "replace", H1_ADDR, "lladdr", bridgeMac, "dev", "eth0", "nud", "permanent");
        assertThat(a1.attempt("ping", "-c", "2", "-i", "0.2", "-W", "1", H1_ADDR).ok()).isFalse();
        a1.run("ip", "route", "del", H1_ADDR + "/32", "dev", "eth0");
        assertThat(ping(A1, "10.0.0.1")).as("the DHCP server's address answers DHCP only").isFalse();
        String input = h1.nft().substring(h1.nft().indexOf("chain input"));
        assertThat(counter(input, "iifname \"hvt\\*\" counter packets (\\d+)")).as("dropped at the host's input")
                .isPositive();
    }

    @Test
    @Order(5)
    void bandwidthIsShapedBothWays() {
        String qdiscs = h2.sh().run("tc", "-j", "qdisc", "show").stdout();
        Map<String, List<Shaping.Qdisc>> byDev = Shaping.parse(qdiscs);
        assertThat(byDev.get(A2.tap())).anyMatch(q -> q.root() && q.kind().equals("tbf") && q.rateBytes() == 12_500_000)
                .anyMatch(q -> q.kind().equals("ingress"));
        assertThat(byDev.get(NetNames.ifb(A2.tap()))).anyMatch(q -> q.kind().equals("tbf") && q.rateBytes() == 12_500_000);
        assertThat(h1.sh().run("tc", "-j", "qdisc", "show", "dev", A1.tap()).stdout()).doesNotContain("tbf");
    }

    @Test
    @Order(6)
    void aRestartedAgentAdoptsWhatExists() {
        OptionalLong dnsmasq = dhcpPid(h1, 100);
        assertThat(dnsmasq).isPresent();
        h1.restartAgent();
        h1.converge(desired(List.of(A1, B1), Map.of(100, peer("h2", H2_ADDR, A2.mac()), 101, peer("h2", H2_ADDR, B2.mac()))));
        assertThat(dhcpPid(h1, 100)).isEqualTo(dnsmasq);
        assertThat(ping(A1, A2.ip())).isTrue();
    }

    @Test
    @Order(7)
    void aPeerChangeRepointsTheFdbAndRemovesStaleEntries() {
        // a2's MAC moves to h3 (and h2 no longer carries network A)
        h1.converge(STALE);
        assertThat(h1.fdb(100)).extracting(FdbEntry::mac, FdbEntry::dst)
                .containsExactlyInAnyOrder(tuple(FdbEntry.FLOOD, H3_ADDR), tuple(A2.mac(), H3_ADDR));
    }

    /**
     * h1's desired state is now stale: a2 "lives on h3". When a2 announces itself as QEMU does after an incoming
     * migration (a RARP from its MAC), h1's VXLAN device learns where it really is and the next pass keeps that, until
     * the desired state catches up.
     */
    @Test
    @Order(8)
    void aMovedMacIsLearnedFromItsAnnouncementBeforeTheDesiredStateSaysSo() {
        assumeTrue(CommandRunner.available("python3"), "python3 sends the RARP");
        A2.sh().run("python3", "-c", RARP, A2.mac());
        assertThat(h1.fdb(100)).extracting(FdbEntry::mac, FdbEntry::dst).contains(tuple(A2.mac(), H2_ADDR));
        h1.converge(STALE);
        assertThat(h1.fdb(100)).extracting(FdbEntry::mac, FdbEntry::dst).contains(tuple(A2.mac(), H2_ADDR));
        assertThat(ping(A1, A2.ip())).as("a1 -> a2 after its announcement").isTrue();

        h1.converge(desired(List.of(A1, B1), Map.of(100, peer("h2", H2_ADDR, A2.mac()), 101, peer("h2", H2_ADDR, B2.mac()))));
        assertThat(h1.fdb(100)).extracting(FdbEntry::mac, FdbEntry::dst)
                .containsExactlyInAnyOrder(tuple(FdbEntry.FLOOD, H2_ADDR), tuple(A2.mac(), H2_ADDR));
    }

    /** ReceiveMigration's part: a network this host does not carry yet is joined, with a real tap, and left again. */
    @Test
    @Order(9)
    void aMigrationTargetJoinsTheRequestsNetworksBeforeQemuAndLeavesThemOnAbort() {
        Guest c1 = new Guest("vm-c1", "unused", 102, "0a:00:00:66:00:02", "10.0.0.2", 0);
        HostNetwork net = network(102).setId("t3/c").addPeers(peer("h1", H1_ADDR, "0a:00:00:66:00:03")).build();
        DesiredState h2Desired = desired(List.of(A2, B2), Map.of(100, peer("h1", H1_ADDR, A1.mac()), 101,
                peer("h1", H1_ADDR, B1.mac())));

        List<io.hvfabric.agent.driver.NicSpec> nics = h2.networking.receive(c1.assignment(), List.of(net));
        assertThat(nics).containsExactly(new io.hvfabric.agent.driver.NicSpec("net0", c1.tap(), c1.mac(), 1450));
        assertThat(h2.networking.problems()).isEmpty();
        LinkTable links = LinkTable.read(h2.sh());
        assertThat(links.get(c1.tap())).hasValueSatisfying(l -> {
            assertThat(l.kind()).isEqualTo("tap");
            assertThat(l.master()).isEqualTo(NetNames.bridge(102));
            assertThat(l.mtu()).isEqualTo(1450);
        });
        assertThat(h2.sh().run("cat", "/proc/sys/net/ipv6/conf/" + c1.tap() + "/disable_ipv6").stdout()).isEqualTo("1\n");
        assertThat(h2.fdb(102)).extracting(FdbEntry::mac, FdbEntry::dst)
                .containsExactlyInAnyOrder(tuple(FdbEntry.FLOOD, H1_ADDR), tuple("0a:00:00:66:00:03", H1_ADDR));

        h2.converge(h2Desired); // the scheduler does not list it yet: held
        assertThat(h2.links()).contains(c1.tap(), NetNames.bridge(102));
        assertThat(lab.namespaces()).contains(h2.dhcpNamespace(102));

        h2.networking.unplug(c1.vsi()); // the migration was aborted
        assertThat(h2.links()).doesNotContain(c1.tap(), NetNames.bridge(102), NetNames.vxlan(102));
        assertThat(lab.namespaces()).doesNotContain(h2.dhcpNamespace(102));
        assertThat(h2.links()).contains(A2.tap(), NetNames.bridge(100));
    }

    @Test
    @Order(10)
    void aNetworkNoLongerDesiredLeavesNothingBehind() {
        OptionalLong dnsmasq = dhcpPid(h1, 101);
        assertThat(dnsmasq).isPresent();
        h1.converge(desired(List.of(A1), Map.of(100, peer("h2", H2_ADDR, A2.mac()))));

        assertThat(h1.links()).doesNotContain(NetNames.bridge(101), NetNames.vxlan(101), NetNames.dhcpVeth(101),
                B1.tap()).contains(NetNames.bridge(100), A1.tap());
        assertThat(lab.namespaces()).doesNotContain(h1.dhcpNamespace(101)).contains(h1.dhcpNamespace(100));
        assertThat(Path.of("/proc", Long.toString(dnsmasq.getAsLong()), "cmdline")).as("its dnsmasq (gone or a zombie)")
                .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        assertThat(h1.dhcpDir(101)).doesNotExist();
        assertThat(h1.nft()).doesNotContain(NetNames.vxlan(101), B1.tap(), "0a:00:00:65").contains(A1.tap());

        h1.converge(DesiredState.getDefaultInstance());
        h2.converge(DesiredState.getDefaultInstance());
        for (Host h : List.of(h1, h2)) {
            assertThat(h.links()).doesNotContain(NetNames.BRIDGE, NetNames.VXLAN, NetNames.DHCP_VETH, NetNames.TAP,
                    NetNames.IFB);
            assertThat(h.sh().run("nft", "list", "tables").stdout()).doesNotContain(NftRuleset.TABLE);
            assertThat(lab.namespaces()).noneMatch(n -> n.startsWith(h.ns + "-n"));
            try (Stream<Path> left = Files.list(h.stateRoot)) {
                assertThat(left).isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static DesiredState desired(List<Guest> guests, Map<Integer, NetworkPeer> peers) {
        DesiredState.Builder d = DesiredState.newBuilder().setRevision(1);
        guests.forEach(g -> d.addVsis(g.assignment()));
        peers.forEach((vni, peer) -> d.addNetworks(network(vni).addPeers(peer)));
        return d.build();
    }

    private static HostNetwork.Builder network(int vni) {
        return HostNetwork.newBuilder().setId(vni == 100 ? "t1/a" : "t2/b").setVni(vni).setCidr("10.0.0.0/24")
                .setGatewayIp("10.0.0.1").setGatewayMac(String.format("0a:00:00:%02x:00:01", vni)).setMtu(1450)
                .setGateway(vni == 100);
    }

    private static NetworkPeer peer(String host, String address, String mac) {
        return NetworkPeer.newBuilder().setHost(host).setUnderlayAddress(address).addMacs(mac).build();
    }

    private static String dhcp(Guest g) {
        CommandResult r = g.sh().run("busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "5", "-T", "1",
                "-O", "mtu", "-s", script().toString());
        return r.stdout().lines().filter(l -> l.startsWith("LEASE ")).findFirst()
                .orElseThrow(() -> new AssertionError("no lease for " + g.vsi() + ": " + r.stdout() + r.stderr())) + " ";
    }

    private static boolean ping(Guest from, String to) {
        return from.sh().attempt("ping", "-c", "2", "-i", "0.2", "-W", "1", to).ok();
    }

    private static long probeCount(CommandRunner guest, String source) {
        return counter(guest.run("nft", "list", "table", "inet", "probe").stdout(),
                "ip saddr " + Pattern.quote(source) + " icmp type echo-request counter packets (\\d+)");
    }

    private static long counter(String nft, String regex) {
        Matcher m = Pattern.compile(regex).matcher(nft);
        assertThat(m.find()).as("a counter matching " + regex + " in\n" + nft).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String dnsmasqLog(Host h, int vni) {
        try {
            return Files.readString(h.dhcpDir(vni).resolve("dnsmasq.log"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static OptionalLong dhcpPid(Host h, int vni) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(DnsmasqCommand.pidFile(h.dhcpDir(vni))).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Path script;

    private static synchronized Path script() {
        if (script == null) {
            try (InputStream in = OverlayDataPlaneIT.class.getResourceAsStream("udhcpc.script")) {
                script = state.resolve("udhcpc.script");
                Files.write(script, in.readAllBytes());
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return script;
    }
}
