package io.hvfabric.scheduler.placement.plugins.fit;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/** Rejects hosts without enough free memory after overcommit for the request's demand. */
public final class MemoryFit implements FilterPlugin {

    public static final String NAME = "MemoryFit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        return ResourceFit.check(
                NAME,
                Dimension.MEMORY,
                request.demand().memoryMib(),
                host.capacity().memoryMib(),
                host.allocated().memoryMib(),
                context.ratios().memory());
    }
}
