package io.hvfabric.scheduler.placement.plugins.score;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.ScorePlugin;

/** Prefers the host left with the most free capacity, averaged over CPU and memory. */
public final class SpreadScore implements ScorePlugin {

    public static final String NAME = "SpreadScore";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(PlacementRequest request, HostCandidate host, PlacementContext context) {
        double used = (Utilization.cpuAfter(request, host, context)
                        + Utilization.memoryAfter(request, host, context))
                / 2;
        return Utilization.toScore(1.0 - used);
    }
}
