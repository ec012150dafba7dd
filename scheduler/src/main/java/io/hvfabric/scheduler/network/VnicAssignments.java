package io.hvfabric.scheduler.network;

import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A VSI's vNICs inside the decision that records (or removes) the VSI: each network and its allocation is read there,
 * so the commit compares them, and the addresses taken or freed are written in the same transaction as the VSI. A
 * refusal throws before anything is written, so a refused create takes no address.
 */
public final class VnicAssignments {
    /**
     * The spec with every vNIC's ip, mac and vni filled in, the largest MTU of its networks (0 without vNICs, for
     * placement), and the allocation records to write.
     */
    public record Assigned(VsiSpec spec, int networkMtu, Map<NetworkId, NetworkAllocation> allocations) {
        public void write(Records records) {
            allocations.forEach((id, allocation) ->
                    records.put(Keys.Kind.NETWORK_ALLOCATION, id.key(), allocation));
        }
    }

    private VnicAssignments() {}

    /**
     * Assigns the vNICs of {@code spec} (validated: each names a network, asks for no MAC): NOT_FOUND for a network
     * its tenant does not have; the address errors of {@link AddressAllocator#assign}.
     */
    public static Assigned assign(Records records, VsiSpec spec) {
        VsiSpec.Builder assigned = spec.toBuilder();
        Map<NetworkId, NetworkAllocation> allocations = new LinkedHashMap<>();
        int mtu = 0;
        for (int i = 0; i < spec.getNicsCount(); i++) {
            NicSpec nic = spec.getNics(i);
            NetworkId id = NetworkId.ofNic(spec, nic);
            Network network = records.get(Keys.Kind.NETWORK, id.key(), Network.getDefaultInstance())
                    .orElseThrow(id::notFound);
            NetworkAllocation allocation = allocations.containsKey(id) ? allocations.get(id)
                    : records.get(Keys.Kind.NETWORK_ALLOCATION, id.key(), NetworkAllocation.getDefaultInstance())
                            .orElse(NetworkAllocation.getDefaultInstance());
            AddressAllocator.Assigned address = AddressAllocator.assign(id,
                    Subnet.parse("network.cidr", network.getCidr()), allocation, nic.getIp(),
                    AddressAllocator.owner(spec.getName(), i), "nics[" + i + "].ip");
            allocations.put(id, address.allocation());
            assigned.setNics(i, nic.toBuilder()
                    .setIp(address.ip())
                    .setMac(Subnet.mac(network.getVni(), address.offset()))
                    .setVni(network.getVni()));
            mtu = Math.max(mtu, network.getMtu());
        }
        return new Assigned(assigned.build(), mtu, allocations);
    }

    /** Frees the addresses of {@code vsi}'s vNICs, in the decision that removes it. */
    public static void release(Records records, VsiRecord vsi) {
        VsiSpec spec = vsi.getSpec();
        Map<NetworkId, NetworkAllocation> freed = new LinkedHashMap<>();
        for (int i = 0; i < spec.getNicsCount(); i++) {
            NicSpec nic = spec.getNics(i);
            if (nic.getIp().isEmpty()) {
                continue;
            }
            NetworkId id = NetworkId.ofNic(spec, nic);
            NetworkAllocation allocation = freed.containsKey(id) ? freed.get(id)
                    : records.get(Keys.Kind.NETWORK_ALLOCATION, id.key(), NetworkAllocation.getDefaultInstance())
                            .orElse(null);
            if (allocation != null) {
                freed.put(id, AddressAllocator.release(allocation, nic.getIp(),
                        AddressAllocator.owner(spec.getName(), i)));
            }
        }
        freed.forEach((id, allocation) -> records.put(Keys.Kind.NETWORK_ALLOCATION, id.key(), allocation));
    }
}
