package io.hvfabric.scheduler.placement.plugins.score;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.ScorePlugin;

/**
 * Prefers hosts whose CPU and memory utilization stay close to each other, so neither dimension is stranded (a host
 * full on memory with idle CPUs can take nothing more).
 */
public final class BalanceScore implements ScorePlugin {

    public static final String NAME = "BalanceScore";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(PlacementRequest request, HostCandidate host, PlacementContext context) {
        double gap = Math.abs(Utilization.cpuAfter(request, host, context)
                - Utilization.memoryAfter(request, host, context));
        return Utilization.toScore(1.0 - gap);
    }
}
