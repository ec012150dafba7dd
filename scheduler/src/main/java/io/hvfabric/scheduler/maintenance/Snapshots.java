package io.hvfabric.scheduler.maintenance;

import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.drain.VsiLoad;
import io.hvfabric.scheduler.network.VsiNetworks;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.hvfabric.scheduler.vsi.VsiSpecs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The planners' picture of the cluster, taken from this replica's view. */
final class Snapshots {
    private Snapshots() {}

    static ClusterSnapshot of(ClusterView view, PlacementInputs inputs) {
        // The live dirty rate last measured for each VSI (by its latest migration), 0 when never measured.
        Map<String, Double> dirtyRate = new HashMap<>();
        for (var m : view.migrations()) {
            if (m.value().hasProgress()) {
                dirtyRate.put(m.value().getName(), m.value().getProgress().getDirtyRateMibps());
            }
        }
        Map<String, List<VsiLoad>> byHost = new HashMap<>();
        for (Versioned<VsiRecord> v : view.vsis()) {
            VsiRecord vsi = v.value();
            if (vsi.getHost().isEmpty()) {
                continue;
            }
            String group = vsi.getSpec().getAntiAffinityGroup();
            byHost.computeIfAbsent(vsi.getHost(), h -> new ArrayList<>()).add(new VsiLoad(vsi.getSpec().getName(),
                    VsiSpecs.demand(vsi.getSpec()), group.isEmpty() ? null : group,
                    Math.max(0, dirtyRate.getOrDefault(vsi.getSpec().getName(), 0.0)),
                    VsiNetworks.mtu(view, vsi.getSpec())));
        }
        List<HostLoad> hosts = new ArrayList<>();
        for (HostCandidate candidate : inputs.candidates()) {
            hosts.add(new HostLoad(candidate, byHost.getOrDefault(candidate.id(), List.of())));
        }
        return ClusterSnapshot.of(hosts);
    }
}
