package io.hvfabric.agent.network;

import io.hvfabric.common.error.FabricException;
import java.util.regex.Pattern;

/**
 * The host NIC the VXLAN tunnels run over and its IPv4 address (this host's VTEP).
 *
 * @param mtu the NIC's MTU; a network's VXLAN device gets at most this minus {@link #VXLAN_OVERHEAD}
 */
public record Underlay(String dev, String address, int mtu) {
    public static final int VXLAN_OVERHEAD = 50;
    public static final int VXLAN_PORT = 4789;
    private static final Pattern DEV = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");

    public Underlay {
        if (dev == null || !DEV.matcher(dev).matches()) {
            throw FabricException.invalidArgument("--underlay-dev", "must be an interface name of 1-15 characters of"
                    + " [A-Za-z0-9_.:-] (got '%s')", dev);
        }
        Ipv4.address("underlay address", address);
        if (mtu < 576) {
            throw FabricException.invalidArgument("underlay mtu", "must be at least 576 (got %d)", mtu);
        }
    }
}
