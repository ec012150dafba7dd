package io.hvfabric.scheduler.placement.plugins.score;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.ScorePlugin;

/**
 * A host's CPU and memory utilization as it would be after placing the request, as a fraction of capacity after
 * overcommit. Scorers rate the state they would create, not the one they found.
 */
final class Utilization {

    private Utilization() {}

    static double cpuAfter(PlacementRequest request, HostCandidate host, PlacementContext ctx) {
        return fraction(
                host.allocated().vcpus() + request.demand().vcpus(), host.capacity().vcpus(), ctx.ratios().cpu());
    }

    static double memoryAfter(PlacementRequest request, HostCandidate host, PlacementContext ctx) {
        return fraction(
                host.allocated().memoryMib() + request.demand().memoryMib(),
                host.capacity().memoryMib(),
                ctx.ratios().memory());
    }

    /** In [0, 1]; a host offering nothing of the dimension counts as full. */
    private static double fraction(long used, long capacity, double ratio) {
        long effective = OvercommitRatios.effectiveCapacity(capacity, ratio);
        if (effective <= 0) {
            return 1.0;
        }
        return Math.min(1.0, Math.max(0.0, (double) used / effective));
    }

    /** Maps a fraction in [0, 1] to the normalized score range, rounding half up (Math.round is slow on JDK 17). */
    static long toScore(double fraction) {
        return (long) (fraction * ScorePlugin.MAX_SCORE + 0.5);
    }
}
