package io.hvfabric.agent.network;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The dnsmasq that serves one network's DHCP on this host: static leases only (the fabric's IPAM chose every address),
 * infinite, no DNS, no lease file. Pure.
 */
final class DnsmasqCommand {
    private DnsmasqCommand() {}

    /** @param dir where its hosts file, pid file and log live */
    static List<String> argv(NetworkSpec net, Path dir) {
        List<String> a = new ArrayList<>();
        a.add("dnsmasq");
        a.add("--conf-file=/dev/null"); // nothing from /etc/dnsmasq.conf
        a.add("--port=0"); // no DNS
        a.add("--no-resolv");
        a.add("--no-hosts");
        a.add("--bind-interfaces");
        a.add("--interface=" + NetNames.dhcpInside(net.vni()));
        a.add("--except-interface=lo");
        a.add("--dhcp-range=" + net.cidr().network() + ",static," + net.cidr().netmask() + ",infinite");
        a.add("--dhcp-hostsfile=" + hostsFile(dir));
        // Without option 3 dnsmasq would offer itself as the router; an empty option 3 sends none.
        a.add(net.gateway() ? "--dhcp-option=option:router," + net.gatewayIp() : "--dhcp-option=3");
        a.add("--dhcp-option=6"); // no DNS server either
        a.add("--dhcp-option=option:mtu," + net.mtu());
        a.add("--dhcp-authoritative"); // a migrated guest's renewal is answered here, though this server never saw it
        a.add("--leasefile-ro");
        a.add("--pid-file=" + pidFile(dir));
        a.add("--log-facility=" + dir.resolve("dnsmasq.log"));
        return a;
    }

    /** One {@code mac,ip} line per vNIC of this host on the network that has an address, sorted (stable content). */
    static String hosts(List<VsiPort> ports) {
        StringBuilder s = new StringBuilder();
        ports.stream().filter(p -> !p.ip().isEmpty()).sorted(Comparator.comparing(VsiPort::mac))
                .forEach(p -> s.append(p.mac()).append(',').append(p.ip()).append('\n'));
        return s.toString();
    }

    static Path hostsFile(Path dir) {
        return dir.resolve("hosts");
    }

    static Path pidFile(Path dir) {
        return dir.resolve("dnsmasq.pid");
    }
}
