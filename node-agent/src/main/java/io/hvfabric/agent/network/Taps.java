package io.hvfabric.agent.network;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vNICs' taps: persistent tap devices made before QEMU starts (QEMU opens them by name as root, then drops to the
 * VSI's uid), each on its network's bridge with the network's MTU, no IPv6, and shaped to the vNIC's bandwidth. A
 * link that already has the tap's name is taken as it is (a test's veth, a tap left by a previous QEMU).
 */
final class Taps {
    private static final Logger LOG = LoggerFactory.getLogger(Taps.class);

    private final CommandRunner host;
    private final Set<String> ipv6Off = ConcurrentHashMap.newKeySet();

    Taps(CommandRunner host) {
        this.host = host;
    }

    void ensure(VsiPort p, LinkTable links, Map<String, List<Shaping.Qdisc>> qdiscs) {
        String bridge = NetNames.bridge(p.vni());
        var link = links.get(p.tap());
        if (link.isEmpty()) {
            host.run("ip", "tuntap", "add", "dev", p.tap(), "mode", "tap");
            LOG.info("VSI {} nic {}: tap {} on {}", p.vsi(), p.index(), p.tap(), bridge);
        }
        if (!ipv6Off.contains(p.tap())) {
            host.run("sysctl", "-q", "-w", "net.ipv6.conf." + p.tap() + ".disable_ipv6=1");
            ipv6Off.add(p.tap());
        }
        if (link.isEmpty() || !link.get().master().equals(bridge) || link.get().mtu() != p.mtu() || !link.get().up()) {
            host.run("ip", "link", "set", "dev", p.tap(), "mtu", Integer.toString(p.mtu()), "master", bridge,
                    "alias", "vsi=" + p.vsi() + " nic=" + p.index(), "up");
        }
        String ifb = NetNames.ifb(p.tap());
        for (Shaping.Command c : Shaping.commands(p.tap(), p.mbps(), qdiscs.getOrDefault(p.tap(), List.of()),
                qdiscs.getOrDefault(ifb, List.of()), links.has(ifb))) {
            if (c.mayFail()) {
                host.attempt(c.argv(), null);
            } else {
                host.run(c.argv(), null);
            }
        }
    }

    void delete(String tap, LinkTable links) {
        if (links.has(tap)) {
            host.attempt("ip", "link", "del", tap);
            LOG.info("tap {} removed", tap);
        }
        String ifb = NetNames.ifb(tap);
        if (links.has(ifb)) {
            host.attempt("ip", "link", "del", ifb);
        }
        ipv6Off.remove(tap);
    }

    void resync() {
        ipv6Off.clear();
    }
}
