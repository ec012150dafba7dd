package io.hvfabric.scheduler.placement.plugins.affinity;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/** No two VSIs of the same anti-affinity group share a host, so one host failure takes down at most one of them. */
public final class AntiAffinityFilter implements FilterPlugin {

    public static final String NAME = "AntiAffinityFilter";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        String group = request.antiAffinityGroup();
        if (group == null || !host.antiAffinityGroups().contains(group)) {
            return Status.success();
        }
        // Resolvable: moving the other member away would make room.
        return Status.unschedulable(
                NAME,
                "already running a member of the anti-affinity group",
                () -> "host already runs a vsi of anti-affinity group '" + group + "'");
    }
}
