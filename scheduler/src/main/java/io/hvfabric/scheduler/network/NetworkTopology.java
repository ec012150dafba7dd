package io.hvfabric.scheduler.network;

import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NetworkPort;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Where every network's vNICs are, indexed once from one view: each network's ports, the hosts that carry it (the
 * owner of each of its VSIs, and both ends of an in-flight migration of one) and which MACs each host owns. From it,
 * each host's {@link HostNetwork}: the other carriers as peers, each with the MACs it owns, so the ownership commit
 * of a migration repoints a MAC on every host at once. Immutable; {@link Latest} keeps one per view revision.
 */
public final class NetworkTopology {
    /** The topology of a view's current revision, built at most once per revision however many hosts ask. */
    public static final class Latest {
        private final ClusterView view;
        private long revision = -1;
        private NetworkTopology topology;

        public Latest(ClusterView view) {
            this.view = view;
        }

        /** Built after reading the revision, so it holds at least that revision's state: a newer one rebuilds. */
        public synchronized NetworkTopology current() {
            long now = view.revision();
            if (topology == null || now != revision) {
                topology = NetworkTopology.of(view);
                revision = now;
            }
            return topology;
        }
    }

    private static final Comparator<NetworkPort> BY_VSI_AND_NIC =
            Comparator.comparing(NetworkPort::getVsi).thenComparingInt(NetworkPort::getNic);

    private final ClusterView view;
    private final Map<String, List<NetworkPort>> ports;
    private final Map<String, SortedSet<String>> carriers;
    /** Network key, then owner host, then the MACs of its vNICs on that network. */
    private final Map<String, Map<String, SortedSet<String>>> macs;

    private NetworkTopology(ClusterView view, Map<String, List<NetworkPort>> ports,
                            Map<String, SortedSet<String>> carriers, Map<String, Map<String, SortedSet<String>>> macs) {
        this.view = view;
        this.ports = ports;
        this.carriers = carriers;
        this.macs = macs;
    }

    /** One pass over the view's VSIs: O(VSIs + vNICs). */
    public static NetworkTopology of(ClusterView view) {
        Map<String, List<NetworkPort>> ports = new HashMap<>();
        Map<String, SortedSet<String>> carriers = new HashMap<>();
        Map<String, Map<String, SortedSet<String>>> macs = new HashMap<>();
        for (Versioned<VsiRecord> v : view.vsisUnordered()) {
            VsiRecord vsi = v.value();
            VsiSpec spec = vsi.getSpec();
            if (spec.getNicsCount() == 0) {
                continue;
            }
            List<String> hosts = hostsOf(view, vsi);
            for (int i = 0; i < spec.getNicsCount(); i++) {
                NicSpec nic = spec.getNics(i);
                String key = NetworkId.ofNic(spec, nic).key();
                ports.computeIfAbsent(key, k -> new ArrayList<>()).add(NetworkPort.newBuilder()
                        .setVsi(spec.getName()).setNic(i).setMac(nic.getMac()).setIp(nic.getIp())
                        .setHost(vsi.getHost()).setMbps(nic.getMbps()).build());
                carriers.computeIfAbsent(key, k -> new TreeSet<>()).addAll(hosts);
                if (!vsi.getHost().isEmpty() && !nic.getMac().isEmpty()) {
                    macs.computeIfAbsent(key, k -> new HashMap<>())
                            .computeIfAbsent(vsi.getHost(), h -> new TreeSet<>()).add(nic.getMac());
                }
            }
        }
        ports.values().forEach(list -> list.sort(BY_VSI_AND_NIC));
        return new NetworkTopology(view, ports, carriers, macs);
    }

    /** Every vNIC on the network of {@code key}, by VSI and NIC index. */
    public List<NetworkPort> ports(String key) {
        return ports.getOrDefault(key, List.of());
    }

    /** The hosts that carry the network of {@code key} now, by id. */
    public SortedSet<String> carriers(String key) {
        return carriers.getOrDefault(key, new TreeSet<>());
    }

    /** {@code network} as {@code host} must carry it: every other carrier is a peer, with the MACs it owns. */
    public HostNetwork forHost(Network network, String host) {
        String key = NetworkId.of(network).key();
        HostNetwork.Builder carried = HostNetwork.newBuilder()
                .setId(key)
                .setVni(network.getVni())
                .setCidr(network.getCidr())
                .setGatewayIp(network.getGatewayIp())
                .setGatewayMac(Subnet.mac(network.getVni(), Subnet.GATEWAY_OFFSET))
                .setMtu(network.getMtu())
                .setGateway(network.getGateway());
        Map<String, SortedSet<String>> owned = macs.getOrDefault(key, Map.of());
        for (String peer : carriers(key)) {
            if (!peer.equals(host)) {
                carried.addPeers(NetworkPeer.newBuilder()
                        .setHost(peer)
                        .setUnderlayAddress(underlayAddress(peer))
                        .addAllMacs(owned.getOrDefault(peer, new TreeSet<>())));
            }
        }
        return carried.build();
    }

    /** The host's VTEP: what its agent reported, else the host part of the address it registered with. */
    private String underlayAddress(String host) {
        HostRecord record = view.host(host).map(Versioned::value).orElse(null);
        if (record == null) {
            return "";
        }
        if (!record.getCapabilities().getUnderlayAddress().isEmpty()) {
            return record.getCapabilities().getUnderlayAddress();
        }
        String address = record.getAddress();
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    /** The VSI's owner, and both ends of its migration while that is in flight. */
    private static List<String> hostsOf(ClusterView view, VsiRecord vsi) {
        List<String> hosts = new ArrayList<>(3);
        if (!vsi.getHost().isEmpty()) {
            hosts.add(vsi.getHost());
        }
        if (!vsi.getMigrationId().isEmpty()) {
            view.migration(vsi.getMigrationId()).map(Versioned::value)
                    .filter(m -> !MigrationPhases.isTerminal(m.getPhase()))
                    .ifPresent(m -> {
                        hosts.add(m.getFrom());
                        hosts.add(m.getTo());
                    });
        }
        hosts.removeIf(String::isEmpty);
        return hosts;
    }
}
