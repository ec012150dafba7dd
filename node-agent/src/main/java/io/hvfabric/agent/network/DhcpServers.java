package io.hvfabric.agent.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each network's DHCP service on this host: a network namespace ({@code <prefix><vni>}) joined to the network's
 * bridge by a veth ({@code hvd<vni>}), whose inside leg holds the anycast gateway's address and MAC, and a dnsmasq in
 * it, daemonized with a pid file so it outlives an agent restart and is found again. Its hosts file holds this host's
 * vNICs on the network and is re-read on SIGHUP.
 *
 * <p>Namespaces are created, entered and deleted in the agent's own mount namespace ({@code local}), never behind the
 * host prefix: a name made inside {@code ip netns exec} would vanish with that command's private mount namespace.
 * For the same reason an agent restarted into a fresh mount namespace (the lab's {@code ip netns exec}) may find a
 * name that no longer leads to dnsmasq's namespace; it then rebuilds the service (a DHCP blip, no data-path effect).
 */
final class DhcpServers {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpServers.class);
    static final Path NETNS_DIR = Path.of("/run/netns");

    /** The DHCP-relevant part of a network: a change restarts its dnsmasq. */
    private record Setup(Ipv4.Cidr cidr, String gatewayIp, String gatewayMac, int mtu, boolean gateway) {
        static Setup of(NetworkSpec n) {
            return new Setup(n.cidr(), n.gatewayIp(), n.gatewayMac(), n.mtu(), n.gateway());
        }
    }

    private final CommandRunner host;
    private final CommandRunner local;
    private final Path root;
    private final String prefix;
    private final Map<Integer, Setup> configured = new ConcurrentHashMap<>();

    /**
     * @param host runs commands in the host's network namespace
     * @param local runs commands in the agent's own namespaces (namespace management, dnsmasq's start)
     * @param root where each network's hosts file, pid file and log go ({@code <root>/<vni>/})
     */
    DhcpServers(CommandRunner host, CommandRunner local, Path root, String prefix) {
        this.host = host;
        this.local = local;
        this.root = root.toAbsolutePath();
        this.prefix = prefix;
    }

    void converge(NetworkSpec net, List<VsiPort> ports, LinkTable links) {
        int vni = net.vni();
        String ns = NetNames.namespace(prefix, vni);
        Path dir = dir(vni);
        createDirectory(dir);
        OptionalLong pid = DnsmasqProcess.runningPid(dir);
        boolean rebuilt = false;
        if (!(pid.isPresent() ? DnsmasqProcess.inNamespace(pid.getAsLong(), ns) : usable(ns))) {
            LOG.info("network {} (vni {}): creating DHCP namespace {}", net.id(), vni, ns);
            pid.ifPresent(DnsmasqProcess::stop);
            pid = OptionalLong.empty();
            host.attempt("ip", "link", "del", NetNames.dhcpVeth(vni));
            local.attempt("ip", "netns", "del", ns);
            local.run("ip", "netns", "add", ns);
            rebuilt = true;
        }
        if (rebuilt || !links.has(NetNames.dhcpVeth(vni))) {
            String mtu = Integer.toString(net.mtu());
            host.run("ip", "link", "add", NetNames.dhcpVeth(vni), "mtu", mtu, "type", "veth",
                    "peer", "name", NetNames.dhcpInside(vni), "mtu", mtu, "netns", ns);
            rebuilt = true;
        }
        Setup setup = Setup.of(net);
        if (rebuilt || !setup.equals(configured.get(vni))) {
            configure(net, ns);
            configured.put(vni, setup);
        }
        boolean hostsChanged = writeIfChanged(DnsmasqCommand.hostsFile(dir), DnsmasqCommand.hosts(ports));
        List<String> argv = DnsmasqCommand.argv(net, dir);
        if (pid.isPresent() && (rebuilt || !DnsmasqProcess.runsWith(pid.getAsLong(), argv))) {
            DnsmasqProcess.stop(pid.getAsLong()); // bound to a veth that is gone, or started for other settings
            pid = OptionalLong.empty();
        }
        if (pid.isEmpty()) {
            start(net, ns, dir, argv);
        } else if (hostsChanged) {
            local.run("kill", "-HUP", Long.toString(pid.getAsLong()));
        }
    }

    /** Everything of the network's DHCP service goes: dnsmasq, the veth, the namespace, the files. */
    void teardown(int vni) {
        String ns = NetNames.namespace(prefix, vni);
        Path dir = dir(vni);
        DnsmasqProcess.runningPid(dir).ifPresent(DnsmasqProcess::stop);
        killAll(ns);
        host.attempt("ip", "link", "del", NetNames.dhcpVeth(vni)); // before the namespace: its end goes with it at once
        local.attempt("ip", "netns", "del", ns);
        deleteTree(dir);
        configured.remove(vni);
    }

    /** VNIs that have any part of a DHCP service here: a namespace of our prefix, a state directory, a veth. */
    Set<Integer> present(LinkTable links) {
        Set<Integer> vnis = new TreeSet<>();
        names(NETNS_DIR).forEach(n -> NetNames.vniOf(prefix, n).ifPresent(vnis::add));
        names(root).forEach(n -> NetNames.vniOf("", n).ifPresent(vnis::add));
        links.withPrefix(NetNames.DHCP_VETH).forEach(l -> NetNames.vniOf(NetNames.DHCP_VETH, l.name())
                .ifPresent(vnis::add));
        return vnis;
    }

    void resync() {
        configured.clear();
    }

    Path dir(int vni) {
        return root.resolve(Integer.toString(NetNames.checkVni(vni)));
    }

    /**
     * Gateway address and MAC on the inside leg, which answers DHCP only; no IPv6 anywhere in the namespace; the host
     * leg on the bridge.
     */
    private void configure(NetworkSpec net, String ns) {
        int vni = net.vni();
        String inside = NetNames.dhcpInside(vni);
        String mtu = Integer.toString(net.mtu());
        local.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
        local.run(List.of("ip", "netns", "exec", ns, "nft", "-f", "-"), NftRuleset.dhcpNamespace());
        local.run(List.of("ip", "netns", "exec", ns, "ip", "-batch", "-"), String.join("\n",
                "link set lo up",
                "link set " + inside + " address " + net.gatewayMac() + " mtu " + mtu,
                "addr replace " + net.gatewayIp() + "/" + net.cidr().prefix() + " dev " + inside,
                "link set " + inside + " up") + "\n");
        String leg = NetNames.dhcpVeth(vni);
        host.run("sysctl", "-q", "-w", "net.ipv6.conf." + leg + ".disable_ipv6=1");
        host.run("ip", "link", "set", "dev", leg, "mtu", mtu, "master", NetNames.bridge(vni), "up");
    }

    /** Whatever else runs in the namespace: only a dnsmasq whose pid file was lost can, and it holds port 67. */
    private void killAll(String ns) {
        CommandResult pids = local.attempt("ip", "netns", "pids", ns);
        if (pids.ok()) {
            pids.stdout().lines().map(String::strip).filter(l -> l.matches("[0-9]+"))
                    .forEach(p -> ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private void start(NetworkSpec net, String ns, Path dir, List<String> argv) {
        killAll(ns);
        try {
            Files.deleteIfExists(DnsmasqCommand.pidFile(dir));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + DnsmasqCommand.pidFile(dir) + ": " + e.getMessage(), e);
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(argv);
        local.run(full, null); // returns once dnsmasq has daemonized
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (DnsmasqProcess.runningPid(dir).isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (DnsmasqProcess.runningPid(dir).isEmpty()) {
            throw new IllegalStateException("dnsmasq for network " + net.id() + " did not start; see "
                    + dir.resolve("dnsmasq.log"));
        }
        LOG.info("network {} (vni {}): DHCP server pid {} in {}", net.id(), net.vni(),
                DnsmasqProcess.runningPid(dir).getAsLong(), ns);
    }

    private boolean usable(String ns) {
        return Files.exists(NETNS_DIR.resolve(ns)) && local.attempt("ip", "netns", "exec", ns, "true").ok();
    }

    /** dnsmasq re-reads the file as the unprivileged user it drops to: directories 0755, the file 0644. */
    private static boolean writeIfChanged(Path file, String content) {
        try {
            if (Files.exists(file) && Files.readString(file).equals(content)) {
                return false;
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void createDirectory(Path dir) {
        try {
            for (Path d : List.of(root, dir)) {
                Files.createDirectories(d);
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", dir, e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
