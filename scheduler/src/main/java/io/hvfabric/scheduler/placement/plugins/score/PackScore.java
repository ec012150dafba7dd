package io.hvfabric.scheduler.placement.plugins.score;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.ScorePlugin;

/** Prefers the tightest fit: the host left with the least free capacity, averaged over CPU and memory. */
public final class PackScore implements ScorePlugin {

    public static final String NAME = "PackScore";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(PlacementRequest request, HostCandidate host, PlacementContext context) {
        double used = (Utilization.cpuAfter(request, host, context)
                        + Utilization.memoryAfter(request, host, context))
                / 2;
        return Utilization.toScore(used);
    }
}
