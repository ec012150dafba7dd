package io.hvfabric.agent.driver;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.VsiSpecRules;
import java.util.regex.Pattern;

/**
 * One virtio NIC backed by an existing host tap device (the agent's network layer creates the tap
 * and its bridge; the driver only plugs the guest into it).
 *
 * @param id QEMU netdev id, unique within the VSI, e.g. "net0"
 * @param tap host tap interface name (Linux limits names to 15 characters)
 * @param mac guest MAC address, lowercase, unicast
 * @param mtu the network's MTU, offered to the guest as virtio-net's host_mtu; 0 offers none
 */
public record NicSpec(String id, String tap, String mac, int mtu) {
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]{0,14}");
    private static final Pattern TAP = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    /** virtio-net's host_mtu range (QEMU refuses less than 68; the field is 16 bits). */
    private static final int MIN_MTU = 68;
    private static final int MAX_MTU = 65535;

    public NicSpec {
        require(id, ID, "nic.id", "a lowercase letter then up to 14 lowercase letters or digits");
        require(tap, TAP, "nic.tap", "1-15 characters of [A-Za-z0-9_.-]");
        VsiSpecRules.mac("nic.mac", mac == null ? "" : mac);
        if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw FabricException.invalidArgument("nic.mtu", "must be 0 (none) or %d to %d (got %d)", MIN_MTU, MAX_MTU,
                    mtu);
        }
    }

    /** A NIC that offers the guest no MTU. */
    public NicSpec(String id, String tap, String mac) {
        this(id, tap, mac, 0);
    }

    private static void require(String value, Pattern pattern, String field, String rule) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw FabricException.invalidArgument(field, "must be " + rule + " (got '%s')", String.valueOf(value));
        }
    }
}
