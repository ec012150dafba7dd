package io.hvfabric.scheduler.placement.api;

/**
 * What plugins may read besides the request and the host: settings of the pipeline that runs them. One instance per
 * pipeline, shared by every decision, so it must stay immutable.
 */
public record PlacementContext(OvercommitRatios ratios) {

    public PlacementContext {
        if (ratios == null) {
            throw new IllegalArgumentException("PlacementContext.ratios must be set");
        }
    }
}
