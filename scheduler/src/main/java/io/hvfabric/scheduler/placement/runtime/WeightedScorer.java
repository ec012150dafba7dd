package io.hvfabric.scheduler.placement.runtime;

import io.hvfabric.scheduler.placement.api.ScorePlugin;

/** A scorer and how much its 0..100 score counts in a host's total. */
public record WeightedScorer(ScorePlugin plugin, int weight) {

    public WeightedScorer {
        if (plugin == null) {
            throw new IllegalArgumentException("WeightedScorer.plugin must be set");
        }
        if (weight < 1 || weight > ScoreWeights.MAX_WEIGHT) {
            throw new IllegalArgumentException("WeightedScorer.weight of " + plugin.name() + " must be between 1 and "
                    + ScoreWeights.MAX_WEIGHT + ", got " + weight);
        }
    }
}
