package io.hvfabric.scheduler.network;

import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkStatus;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;

/** A network as {@code network show} prints it: the record, its ports, its address use and the hosts carrying it. */
public final class NetworkStatuses {
    private NetworkStatuses() {}

    public static NetworkStatus of(Network network, NetworkTopology topology, ClusterView view) {
        String key = NetworkId.of(network).key();
        int used = view.networkAllocation(key).map(Versioned::value).map(NetworkAllocation::getAddressesCount)
                .orElse(0);
        return NetworkStatus.newBuilder()
                .setNetwork(network)
                .addAllPorts(topology.ports(key))
                .setAddressesUsed(used)
                .setAddressesTotal(Subnet.parse("network.cidr", network.getCidr()).vnicCapacity())
                .addAllHosts(topology.carriers(key))
                .build();
    }
}
