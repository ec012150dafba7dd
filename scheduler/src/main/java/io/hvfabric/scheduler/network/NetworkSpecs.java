package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.proto.v1.Network;

/**
 * The one validation of a network create request, with its defaults: each error names the field and the rule. What
 * the fabric assigns (VNI, gateway address, creation time) a request must leave out; what it returns is the network
 * as it will be stored, but for those.
 */
public final class NetworkSpecs {
    /** The usual 1500-byte underlay minus VXLAN's 50. */
    public static final int DEFAULT_MTU = 1450;
    /** IPv4's minimum datagram every link must carry, and jumbo frames. */
    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9000;

    private NetworkSpecs() {}

    public static Network validate(Network requested) {
        FieldRules.dnsLabel("network.name", requested.getName());
        FieldRules.optionalDnsLabel("network.tenant", requested.getTenant());
        Subnet subnet = Subnet.parse("network.cidr", requested.getCidr());
        int mtu = requested.getMtu();
        if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw FabricException.invalidArgument("network.mtu", "must be %d..%d bytes, or 0 for %d (got %d)",
                    MIN_MTU, MAX_MTU, DEFAULT_MTU, mtu);
        }
        if (requested.getVni() != 0) {
            throw FabricException.invalidArgument("network.vni", "is assigned by the fabric; leave it 0 (got %d)",
                    requested.getVni());
        }
        if (!requested.getGatewayIp().isEmpty()) {
            throw FabricException.invalidArgument("network.gateway_ip",
                    "is assigned by the fabric (the first host address); leave it empty (got '%s')",
                    requested.getGatewayIp());
        }
        return Network.newBuilder()
                .setName(requested.getName())
                .setTenant(new NetworkId(requested.getTenant(), requested.getName()).tenant())
                .setCidr(subnet.toString())
                .setMtu(mtu == 0 ? DEFAULT_MTU : mtu)
                .setGateway(requested.getGateway())
                .build();
    }
}
