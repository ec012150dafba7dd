package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.NetworkAllocation;
import java.util.OptionalInt;

/**
 * Fabric IPAM over one network's allocation record ({@code ip -> "<vsi>/<nic index>"}): a requested address if it is
 * a vNIC's address of the network and free, else the lowest free one from {@link Subnet#FIRST_VNIC_OFFSET}. Pure:
 * the caller's decision reads and writes the record, so its commit compares it.
 */
final class AddressAllocator {
    /** The address handed out, its offset (for the MAC), and the record with it taken. */
    record Assigned(String ip, int offset, NetworkAllocation allocation) {}

    private AddressAllocator() {}

    /**
     * Takes {@code requestedIp} (empty: any) of {@code network} for {@code owner}. INVALID_ARGUMENT on {@code field}
     * for an address outside the network or one no vNIC may have; ALREADY_EXISTS for one in use; RESOURCE_EXHAUSTED
     * when the network is full.
     */
    static Assigned assign(NetworkId network, Subnet subnet, NetworkAllocation allocation, String requestedIp,
                           String owner, String field) {
        if (!requestedIp.isEmpty()) {
            Subnet.requireAddress(field, requestedIp);
            OptionalInt offset = subnet.offsetOf(requestedIp);
            if (offset.isEmpty()) {
                throw FabricException.invalidArgument(field, "must be inside %s (%s) (got '%s')", network.describe(),
                        subnet.toString(), requestedIp);
            }
            if (!subnet.isVnicOffset(offset.getAsInt())) {
                throw FabricException.invalidArgument(field, "must not be the network address, the gateway (%s) or "
                        + "the broadcast address of %s (got '%s')", subnet.gatewayIp(), subnet.toString(), requestedIp);
            }
            String holder = allocation.getAddressesMap().get(requestedIp);
            if (holder != null) {
                throw FabricException.of(ErrorCode.ALREADY_EXISTS, "address " + requestedIp + " of "
                        + network.describe() + " is already in use (vsi " + holder.substring(0, holder.lastIndexOf('/'))
                        + ")");
            }
            return new Assigned(requestedIp, offset.getAsInt(), take(allocation, requestedIp, owner));
        }
        for (int k = Subnet.FIRST_VNIC_OFFSET; subnet.isVnicOffset(k); k++) {
            String ip = subnet.addressAt(k);
            if (!allocation.containsAddresses(ip)) {
                return new Assigned(ip, k, take(allocation, ip, owner));
            }
        }
        throw FabricException.resourceExhausted("%s has no free address: all %d are in use", network.describe(),
                subnet.vnicCapacity());
    }

    /** The record without {@code ip}, if {@code owner} holds it (an address another vNIC holds is left alone). */
    static NetworkAllocation release(NetworkAllocation allocation, String ip, String owner) {
        if (!owner.equals(allocation.getAddressesMap().get(ip))) {
            return allocation;
        }
        return allocation.toBuilder().removeAddresses(ip).build();
    }

    /** The allocation's holder of a vNIC: "&lt;vsi&gt;/&lt;nic index&gt;". */
    static String owner(String vsi, int nic) {
        return vsi + "/" + nic;
    }

    private static NetworkAllocation take(NetworkAllocation allocation, String ip, String owner) {
        return allocation.toBuilder().putAddresses(ip, owner).build();
    }
}
