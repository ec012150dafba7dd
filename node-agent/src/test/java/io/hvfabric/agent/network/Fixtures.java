package io.hvfabric.agent.network;

import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;

/** Small builders for the network tests. */
final class Fixtures {
    private Fixtures() {}

    /** Network vni 100, 10.0.0.0/24, gateway 10.0.0.1 (0a:00:00:64:00:01), MTU 1450, router offered. */
    static HostNetwork.Builder network(int vni) {
        return HostNetwork.newBuilder().setId("t1/net" + vni).setVni(vni).setCidr("10.0.0.0/24")
                .setGatewayIp("10.0.0.1").setGatewayMac(String.format("0a:00:00:%02x:00:01", vni)).setMtu(1450)
                .setGateway(true);
    }

    static NetworkPeer peer(String host, String address, String... macs) {
        return NetworkPeer.newBuilder().setHost(host).setUnderlayAddress(address).addAllMacs(java.util.List.of(macs))
                .build();
    }

    static NicSpec nic(int vni, String mac, String ip, long mbps) {
        return NicSpec.newBuilder().setNetwork("net" + vni).setVni(vni).setMac(mac).setIp(ip).setMbps(mbps).build();
    }

    static VsiAssignment vsi(String name, NicSpec... nics) {
        return VsiAssignment.newBuilder().setDesired("RUNNING").setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1)
                .setMemoryMib(128).addAllNics(java.util.List.of(nics))).build();
    }
}
