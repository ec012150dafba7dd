package io.hvfabric.agent.network;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each network's bridge ({@code hvb<vni>}: no address, no IPv6, the network's MTU) and VXLAN device
 * ({@code hvx<vni>}: unicast only, no multicast group, learning on, enslaved to the bridge). A VXLAN device whose
 * identity (VNI, local VTEP, underlay device, port, learning) differs from the wanted one is recreated.
 */
final class NetworkDevices {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkDevices.class);

    private final CommandRunner host;
    private final Underlay underlay;
    private final Set<String> ipv6Off = ConcurrentHashMap.newKeySet();

    NetworkDevices(CommandRunner host, Underlay underlay) {
        this.host = host;
        this.underlay = underlay;
    }

    void ensure(NetworkSpec net, LinkTable links) {
        String bridge = NetNames.bridge(net.vni());
        String vxlan = NetNames.vxlan(net.vni());
        String mtu = Integer.toString(net.mtu());
        Optional<LinkTable.Link> br = links.get(bridge);
        if (br.isPresent() && !br.get().kind().equals("bridge")) {
            host.run("ip", "link", "del", bridge);
            br = Optional.empty();
        }
        if (br.isEmpty()) {
            host.run("ip", "link", "add", bridge, "mtu", mtu, "type", "bridge");
            ipv6Off.remove(bridge);
            LOG.info("network {} (vni {}): bridge {}", net.id(), net.vni(), bridge);
        }
        disableIpv6(bridge);
        if (br.isEmpty() || br.get().mtu() != net.mtu() || !br.get().up()) {
            host.run("ip", "link", "set", "dev", bridge, "mtu", mtu, "up");
        }

        int vxlanMtu = Math.min(net.mtu(), underlay.mtu() - Underlay.VXLAN_OVERHEAD);
        if (vxlanMtu < net.mtu()) {
            LOG.warn("network {}: MTU {} does not fit the underlay's {} with VXLAN; its tunnel carries {}", net.id(),
                    net.mtu(), underlay.mtu(), vxlanMtu);
        }
        LinkTable.Vxlan wanted = new LinkTable.Vxlan(net.vni(), underlay.address(), underlay.dev(), Underlay.VXLAN_PORT,
                true);
        Optional<LinkTable.Link> vx = links.get(vxlan);
        if (vx.isPresent() && !vx.get().vxlan().equals(Optional.of(wanted))) {
            LOG.info("network {}: recreating {} ({} is not {})", net.id(), vxlan, vx.get().vxlan(), wanted);
            host.run("ip", "link", "del", vxlan);
            vx = Optional.empty();
        }
        if (vx.isEmpty()) {
            host.run("ip", "link", "add", vxlan, "mtu", Integer.toString(vxlanMtu), "type", "vxlan", "id",
                    Integer.toString(net.vni()), "local", underlay.address(), "dev", underlay.dev(), "dstport",
                    Integer.toString(Underlay.VXLAN_PORT), "learning");
            ipv6Off.remove(vxlan);
        }
        disableIpv6(vxlan);
        if (vx.isEmpty() || !vx.get().master().equals(bridge) || vx.get().mtu() != vxlanMtu || !vx.get().up()) {
            host.run("ip", "link", "set", "dev", vxlan, "mtu", Integer.toString(vxlanMtu), "master", bridge, "up");
        }
    }

    void delete(int vni, LinkTable links) {
        for (String name : new String[] {NetNames.vxlan(vni), NetNames.bridge(vni)}) {
            if (links.has(name)) {
                host.attempt("ip", "link", "del", name);
            }
            ipv6Off.remove(name);
        }
    }

    void resync() {
        ipv6Off.clear();
    }

    private void disableIpv6(String dev) {
        if (ipv6Off.add(dev)) {
            try {
                host.run("sysctl", "-q", "-w", "net.ipv6.conf." + dev + ".disable_ipv6=1");
            } catch (RuntimeException e) {
                ipv6Off.remove(dev);
                throw e;
            }
        }
    }
}
