package io.hvfabric.scheduler.placement.plugins.fit;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.Shortfall;
import io.hvfabric.scheduler.placement.api.Status;

/**
 * The one capacity rule every fit plugin applies to its dimension: allocated + demand <= floor(capacity × ratio).
 * Callers read their dimension's fields directly: this runs for every host of every decision.
 */
final class ResourceFit {

    private ResourceFit() {}

    static Status check(String plugin, Dimension dimension, long demand, long capacity, long allocated, double ratio) {
        if (demand == 0) {
            return Status.success(); // reserving nothing cannot overcommit anything
        }
        if (allocated + demand <= OvercommitRatios.effectiveCapacity(capacity, ratio)) {
            return Status.success();
        }
        return Status.insufficient(plugin, new Shortfall(dimension, demand, allocated, capacity, ratio));
    }
}
