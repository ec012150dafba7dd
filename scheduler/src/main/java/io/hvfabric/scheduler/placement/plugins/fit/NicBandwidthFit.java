package io.hvfabric.scheduler.placement.plugins.fit;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/** Rejects hosts without enough free NIC bandwidth after overcommit for the request's demand. */
public final class NicBandwidthFit implements FilterPlugin {

    public static final String NAME = "NicBandwidthFit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        return ResourceFit.check(
                NAME,
                Dimension.NIC,
                request.demand().nicMbps(),
                host.capacity().nicMbps(),
                host.allocated().nicMbps(),
                context.ratios().nic());
    }
}
