package io.hvfabric.agent.network;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.NetworkPeer;
import java.util.ArrayList;
import java.util.List;

/**
 * One network as this host must carry it: a {@link HostNetwork} validated once, here. Its values go into ip, bridge,
 * nft and dnsmasq command lines, so every field is checked against a strict pattern first.
 *
 * @param id "<tenant>/<name>", for logs and metric labels
 * @param mtu guest-side MTU of the bridge, the taps and the guests' virtio-net host_mtu
 * @param peers the other hosts carrying the network: BUM traffic goes to each, and to each its own MACs
 */
public record NetworkSpec(String id, int vni, Ipv4.Cidr cidr, String gatewayIp, String gatewayMac, int mtu,
                          boolean gateway, List<Peer> peers) {
    /** 1500-byte underlay minus VXLAN's 50 bytes: the fabric's default when a network names none. */
    public static final int DEFAULT_MTU = 1450;
    static final int MIN_MTU = 576;
    static final int MAX_MTU = 9000;

    /** @param address the peer's VTEP (underlay IPv4 address) */
    public record Peer(String host, String address, List<String> macs) {
        public Peer {
            macs = List.copyOf(macs);
        }
    }

    public NetworkSpec {
        peers = List.copyOf(peers);
    }

    public static NetworkSpec of(HostNetwork n) {
        String at = "networks[vni=" + n.getVni() + "]";
        if (n.getVni() < 1 || n.getVni() > NetNames.MAX_VNI) {
            throw FabricException.invalidArgument(at + ".vni", "must be 1 to %d (got %d)", NetNames.MAX_VNI,
                    n.getVni());
        }
        String id = FieldRules.printableAscii(at + ".id", n.getId(), 128);
        Ipv4.Cidr cidr = Ipv4.Cidr.parse(at + ".cidr", n.getCidr());
        String gatewayIp = Ipv4.address(at + ".gateway_ip", n.getGatewayIp());
        if (!cidr.contains(gatewayIp)) {
            throw FabricException.invalidArgument(at + ".gateway_ip", "must lie in %s (got '%s')", cidr, gatewayIp);
        }
        String gatewayMac = VsiSpecRules.mac(at + ".gateway_mac", n.getGatewayMac());
        int mtu = n.getMtu() == 0 ? DEFAULT_MTU : n.getMtu();
        FieldRules.within(at + ".mtu", mtu, MIN_MTU, MAX_MTU, "bytes");
        List<Peer> peers = new ArrayList<>();
        for (NetworkPeer p : n.getPeersList()) {
            String pat = at + ".peers[" + p.getHost() + "]";
            List<String> macs = new ArrayList<>();
            for (String mac : p.getMacsList()) {
                macs.add(VsiSpecRules.mac(pat + ".macs", mac));
            }
            peers.add(new Peer(FieldRules.optionalDnsLabel(pat + ".host", p.getHost()),
                    Ipv4.address(pat + ".underlay_address", p.getUnderlayAddress()), macs));
        }
        return new NetworkSpec(id, n.getVni(), cidr, gatewayIp, gatewayMac, mtu, n.getGateway(), peers);
    }
}
