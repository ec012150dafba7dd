package io.hvfabric.scheduler.placement.runtime;

/** Weights of the built-in scorers; a weight of 0 leaves a scorer out. */
public record ScoreWeights(int spread, int pack, int balance) {

    public static final int MAX_WEIGHT = 100;

    /** Balance counts half as much as the policy's own scorer: it refines a choice, it does not make it. */
    public static final ScoreWeights DEFAULT = new ScoreWeights(2, 2, 1);

    public ScoreWeights {
        requireInRange("spread", spread);
        requireInRange("pack", pack);
        requireInRange("balance", balance);
    }

    private static void requireInRange(String field, int weight) {
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(
                    "ScoreWeights." + field + " must be between 0 and " + MAX_WEIGHT + ", got " + weight);
        }
    }
}
