package io.hvfabric.scheduler.placement.plugins.pinning;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/** A request pinned to a host (operator choice, explicit migration target) may only land there. */
public final class RequiredHostFilter implements FilterPlugin {

    public static final String NAME = "RequiredHostFilter";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        String required = request.requiredHost();
        if (required == null || required.equals(host.id())) {
            return Status.success();
        }
        return Status.unresolvable(
                NAME, "other than the required host", () -> "vsi requires host '" + required + "'");
    }
}
