package io.hvfabric.scheduler.placement.api;

/**
 * Rates a host that passed every filter. Scores are normalized to {@code 0..MAX_SCORE} (higher is better) so that the
 * runtime can combine plugins with configured weights. Stateless, thread-safe, fast.
 */
public interface ScorePlugin {

    long MIN_SCORE = 0;
    long MAX_SCORE = 100;

    String name();

    long score(PlacementRequest request, HostCandidate host, PlacementContext context);
}
