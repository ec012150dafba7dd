package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPort;
import io.hvfabric.proto.v1.NetworkStatus;
import java.time.Instant;
import java.util.List;

/** Tenant networks as operators read them: the segment, its address use, the hosts carrying it and its ports. */
public final class NetworkViews {
    private static final String SYSTEM = "system";
    private static final String NONE = "-";

    private NetworkViews() {}

    public static String list(List<NetworkStatus> networks) {
        Table table = new Table("NAME", "TENANT", "CIDR", "VNI", "MTU", "GATEWAY", "ADDRESSES", "PORTS", "HOSTS");
        for (NetworkStatus status : networks) {
            Network network = status.getNetwork();
            table.row(network.getName(), tenant(network), network.getCidr(), network.getVni(), network.getMtu(),
                    network.getGateway() ? network.getGatewayIp() : NONE, addresses(status), status.getPortsCount(),
                    status.getHostsCount() == 0 ? NONE : String.join(",", status.getHostsList()));
        }
        return table.render();
    }

    public static String detail(NetworkStatus status, Instant now) {
        Network network = status.getNetwork();
        String block = new KeyValueBlock()
                .add("network", network.getName())
                .add("tenant", tenant(network))
                .add("cidr", network.getCidr())
                .add("vni", network.getVni())
                .add("mtu", network.getMtu())
                .add("gateway", gateway(network))
                .add("addresses", addresses(status) + " used")
                .add("hosts", status.getHostsCount() == 0 ? "none" : String.join(", ", status.getHostsList()))
                .add("created", Timestamps.withAge(network.getCreatedAt(), now))
                .render();
        if (status.getPortsCount() == 0) {
            return block + "\nno ports\n";
        }
        Table ports = new Table("VSI", "NIC", "MAC", "IP", "HOST", "MBPS");
        for (NetworkPort port : status.getPortsList()) {
            ports.row(port.getVsi(), port.getNic(), port.getMac(), port.getIp(),
                    port.getHost().isEmpty() ? NONE : port.getHost(), port.getMbps() > 0 ? port.getMbps() : NONE);
        }
        return block + "\n" + ports.render();
    }

    /** The operators' own networks have no tenant and show as "system", as their VSIs do. */
    static String tenant(Network network) {
        return network.getTenant().isEmpty() ? SYSTEM : network.getTenant();
    }

    /** "3/253": addresses held by vNICs of those usable by them (the gateway's is in neither). */
    static String addresses(NetworkStatus status) {
        return status.getAddressesUsed() + "/" + status.getAddressesTotal();
    }

    /** The first host address serves DHCP on every host; with {@code gateway} it is also the guests' router. */
    private static String gateway(Network network) {
        String address = network.getGatewayIp().isEmpty() ? "the first host address" : network.getGatewayIp();
        return network.getGateway() ? address + " (offered to guests as their default router)"
                : "none offered (" + address + " serves DHCP only)";
    }
}
