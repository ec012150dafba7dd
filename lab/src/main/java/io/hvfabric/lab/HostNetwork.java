package io.hvfabric.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Each host in its own network namespace: a bridge in the root namespace with 10.88.k.1/24, and per host a
 * namespace whose eth0 (one leg of a veth pair, the other enslaved to the bridge) has 10.88.k.(10+i)/24 and a
 * default route via the bridge. Built with plain `ip` commands so an operator can reproduce every step.
 */
final class HostNetwork implements LabNetwork {
    /** Serializes subnet choice between labs started at the same time on one machine. */
    private static final Path SUBNET_LOCK = Path.of(System.getProperty("java.io.tmpdir"), "hvf-lab-subnet.lock");

    private final LabNames names;
    private final CommandRunner shell;
    private int subnet;

    HostNetwork(LabNames names, CommandRunner shell, int subnet) {
        this.names = names;
        this.shell = shell;
        this.subnet = subnet;
    }

    @Override
    public String infraAddress() {
        return prefix() + "1";
    }

    @Override
    public String hostAddress(int host) {
        return prefix() + (10 + host);
    }

    private String prefix() {
        if (subnet == 0) {
            throw new IllegalStateException("subnet not chosen yet");
        }
        return "10.88." + subnet + ".";
    }

    @Override
    public Optional<String> hostNamespace(int host) {
        return Optional.of(names.namespace(host));
    }

    @Override
    public List<String> enterHost(int host) {
        return List.of("ip", "netns", "exec", names.namespace(host));
    }

    @Override
    public boolean hostPortsVisible() {
        return false;
    }

    @Override
    public int subnet() {
        return subnet;
    }

    @Override
    public String mode() {
        return "namespaces";
    }

    @Override
    public void create(int hosts) {
        createBridge();
        for (int i = 1; i <= hosts; i++) {
            createHost(i);
        }
    }

    private void createBridge() {
        String bridge = names.bridge();
        try (FileChannel ch = FileChannel.open(SUBNET_LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            if (subnet == 0) {
                subnet = SubnetChooser.choose(shell.run(List.of("ip", "-4", "-o", "addr", "show"))
                        + shell.run(List.of("ip", "-4", "route", "show", "table", "all")));
            }
            ip("link", "add", bridge, "type", "bridge");
            ip("addr", "add", infraAddress() + "/24", "dev", bridge);
            ip("link", "set", bridge, "up");
        } catch (IOException e) {
            throw new LabException("network: cannot lock " + SUBNET_LOCK + ": " + e.getMessage(), e);
        }
    }

    private void createHost(int i) {
        String ns = names.namespace(i);
        String rootLeg = names.rootVeth(i);
        String peerLeg = names.peerVeth(i);
        ip("netns", "add", ns);
        ip("link", "add", rootLeg, "type", "veth", "peer", "name", peerLeg);
        ip("link", "set", rootLeg, "master", names.bridge());
        ip("link", "set", rootLeg, "up");
        ip("link", "set", peerLeg, "netns", ns);
        ip("-n", ns, "link", "set", peerLeg, "name", "eth0");
        ip("-n", ns, "addr", "add", hostAddress(i) + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "route", "add", "default", "via", infraAddress());
    }

    private void ip(String... args) {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add("ip");
        cmd.addAll(List.of(args));
        shell.run(cmd);
    }

    /** Namespaces of this lab that exist now, by naming convention. */
    List<String> existingNamespaces() {
        return existingNamespaces(shell, names);
    }

    static List<String> existingNamespaces(CommandRunner shell, LabNames names) {
        CommandRunner.Result r = shell.attempt(List.of("ip", "netns", "list"));
        return parseNamespaces(r.stdout()).stream().filter(names::isNamespace).toList();
    }

    static List<String> existingLinks(CommandRunner shell, LabNames names) {
        CommandRunner.Result r = shell.attempt(List.of("ip", "-o", "link", "show"));
        return parseLinks(r.stdout()).stream().filter(names::isLink).toList();
    }

    /** `ip netns list` prints "name" or "name (id: N)" per line. */
    static List<String> parseNamespaces(String output) {
        return output.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }

    /** `ip -o link show` prints "N: name[@peer]: <flags> ..." per line. */
    static List<String> parseLinks(String output) {
        List<String> links = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) {
                String name = parts[1];
                int at = name.indexOf('@');
                links.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return links;
    }

    /**
     * Deletes this lab's namespaces (the hosts' and the per-network ones their agents created, {@code
     * hvf-<lab>-h<i>-n<vni>}), veths and bridge. Whatever an agent created inside a host's namespace (bridges, VXLAN
     * devices, taps, veths to a network's namespace) goes with that namespace. Processes inside the namespaces must
     * be gone first (see {@link LabSweeper}); a namespace whose processes survive lingers unnamed until they exit. An
     * agent's per-network namespace is mounted in the agent's mount namespace only; here its name is a bare file,
     * removed the same way, and the namespace itself ended with the last process that could see it.
     */
    @Override
    public void destroy() {
        List<String> namespaces = new ArrayList<>(existingNamespaces());
        namespaces.sort(Comparator.comparing(ns -> !names.isNetworkNamespace(ns))); // per-network first
        for (String ns : namespaces) {
            shell.attempt(List.of("ip", "netns", "del", ns));
        }
        // Deleting one leg of a veth removes its peer; the bridge goes last.
        for (String link : existingLinks(shell, names)) {
            if (!link.equals(names.bridge())) {
                shell.attempt(List.of("ip", "link", "del", link));
            }
        }
        shell.attempt(List.of("ip", "link", "del", names.bridge()));
        List<String> left = new ArrayList<>(existingNamespaces());
        left.addAll(existingLinks(shell, names));
        if (!left.isEmpty()) {
            throw new LabException("network: could not remove " + String.join(", ", left));
        }
    }
}
