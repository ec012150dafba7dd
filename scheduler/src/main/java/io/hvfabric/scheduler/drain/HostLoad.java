package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A host with the VSIs running on it. {@code host.allocated()} is authoritative for capacity (it may include
 * reservations that are not VSIs); the VSI list says what can be moved.
 */
public record HostLoad(HostCandidate host, List<VsiLoad> vsis) {

    public HostLoad {
        if (host == null) {
            throw new IllegalArgumentException("HostLoad.host must be set");
        }
        vsis = vsis == null ? List.of() : List.copyOf(vsis);
    }

    public String id() {
        return host.id();
    }

    /** This host after {@code vsi} left: its demand released and its group dropped unless another VSI still has it. */
    public HostLoad without(VsiLoad vsi) {
        List<VsiLoad> rest = new ArrayList<>(vsis);
        if (!rest.remove(vsi)) {
            throw new IllegalArgumentException("vsi '" + vsi.name() + "' is not on host '" + id() + "'");
        }
        Set<String> groups = new HashSet<>(host.antiAffinityGroups());
        String group = vsi.antiAffinityGroup();
        if (group != null && rest.stream().noneMatch(v -> group.equals(v.antiAffinityGroup()))) {
            groups.remove(group);
        }
        HostCandidate shrunk = host.withAllocated(host.allocated().minus(vsi.demand()), groups);
        return new HostLoad(shrunk, rest);
    }

    /** This host after {@code vsi} arrived. */
    public HostLoad with(VsiLoad vsi) {
        List<VsiLoad> grown = new ArrayList<>(vsis);
        grown.add(vsi);
        return new HostLoad(host.withPlaced(vsi.demand(), vsi.antiAffinityGroup()), grown);
    }
}
