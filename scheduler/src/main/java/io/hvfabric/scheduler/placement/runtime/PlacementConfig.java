package io.hvfabric.scheduler.placement.runtime;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;

/** Everything that configures placement, validated in one place. */
public record PlacementConfig(OvercommitRatios ratios, PlacementPolicy policy, ScoreWeights weights) {

    public static final PlacementConfig DEFAULT =
            new PlacementConfig(OvercommitRatios.DEFAULT, PlacementPolicy.DEFAULT, ScoreWeights.DEFAULT);

    public PlacementConfig {
        if (ratios == null) {
            throw new IllegalArgumentException("PlacementConfig.ratios must be set");
        }
        if (policy == null) {
            throw new IllegalArgumentException("PlacementConfig.policy must be set (SPREAD or PACK)");
        }
        if (weights == null) {
            throw new IllegalArgumentException("PlacementConfig.weights must be set");
        }
        if (policy == PlacementPolicy.SPREAD && weights.spread() == 0) {
            throw new IllegalArgumentException("PlacementConfig.weights.spread must be >= 1 when policy is SPREAD");
        }
        if (policy == PlacementPolicy.PACK && weights.pack() == 0) {
            throw new IllegalArgumentException("PlacementConfig.weights.pack must be >= 1 when policy is PACK");
        }
    }

    public PlacementConfig withPolicy(PlacementPolicy newPolicy) {
        return new PlacementConfig(ratios, newPolicy, weights);
    }

    public PlacementConfig withRatios(OvercommitRatios newRatios) {
        return new PlacementConfig(newRatios, policy, weights);
    }
}
