package io.hvfabric.scheduler.rebalance;

/**
 * Knobs of the rebalance search.
 *
 * @param targetImbalance stop once the imbalance (standard deviation of normalized host load) is at or below this
 * @param minImprovement hysteresis: a move must lower the sum of squared load deviations (n × variance) by at least
 *     this much. Measured on the sum rather than the standard deviation because one move's effect on the standard
 *     deviation shrinks as the cluster grows, while its effect on the sum does not: one margin fits every size. The
 *     default 0.002 is what moving 3% of a host's load between two hosts about 0.03 apart achieves.
 * @param maxMoves upper bound on the plan's length
 * @param sourceHostsPerStep how many of the most loaded hosts each step takes VSIs from
 * @param targetHostsPerStep how many of the least loaded hosts each step considers as targets
 * @param moveOverheadSeconds fixed cost charged per move on top of its predicted transfer time, so the search prefers
 *     fewer, larger moves over many tiny ones of equal total benefit
 */
public record RebalanceOptions(
        double targetImbalance,
        double minImprovement,
        int maxMoves,
        int sourceHostsPerStep,
        int targetHostsPerStep,
        double moveOverheadSeconds) {

    public static final RebalanceOptions DEFAULT = new RebalanceOptions(0.05, 0.002, 1_000, 8, 16, 60.0);

    public RebalanceOptions {
        if (!(targetImbalance >= 0) || Double.isInfinite(targetImbalance)) {
            throw new IllegalArgumentException("RebalanceOptions.targetImbalance must be >= 0, got " + targetImbalance);
        }
        if (!(minImprovement > 0) || Double.isInfinite(minImprovement)) {
            throw new IllegalArgumentException("RebalanceOptions.minImprovement must be > 0, got " + minImprovement);
        }
        if (maxMoves < 0) {
            throw new IllegalArgumentException("RebalanceOptions.maxMoves must be >= 0, got " + maxMoves);
        }
        if (sourceHostsPerStep < 1 || targetHostsPerStep < 1) {
            throw new IllegalArgumentException("RebalanceOptions.sourceHostsPerStep and targetHostsPerStep must be "
                    + ">= 1, got " + sourceHostsPerStep + " and " + targetHostsPerStep);
        }
        if (!(moveOverheadSeconds >= 0) || Double.isInfinite(moveOverheadSeconds)) {
            throw new IllegalArgumentException(
                    "RebalanceOptions.moveOverheadSeconds must be >= 0, got " + moveOverheadSeconds);
        }
    }

    public RebalanceOptions withTargetImbalance(double value) {
        return new RebalanceOptions(value, minImprovement, maxMoves, sourceHostsPerStep, targetHostsPerStep,
                moveOverheadSeconds);
    }

    public RebalanceOptions withMaxMoves(int value) {
        return new RebalanceOptions(targetImbalance, minImprovement, value, sourceHostsPerStep, targetHostsPerStep,
                moveOverheadSeconds);
    }

    public RebalanceOptions withMoveOverheadSeconds(double value) {
        return new RebalanceOptions(targetImbalance, minImprovement, maxMoves, sourceHostsPerStep, targetHostsPerStep,
                value);
    }

    public RebalanceOptions withMinImprovement(double value) {
        return new RebalanceOptions(targetImbalance, value, maxMoves, sourceHostsPerStep, targetHostsPerStep,
                moveOverheadSeconds);
    }
}
