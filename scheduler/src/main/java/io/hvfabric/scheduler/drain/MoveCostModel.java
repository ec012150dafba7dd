package io.hvfabric.scheduler.drain;

/**
 * Predicts the cost of live-migrating one VSI. Planners depend only on this interface so a model calibrated on real
 * migrations (the migration module's) can replace the default {@link PreCopyCostModel}.
 */
public interface MoveCostModel {

    /**
     * @param memoryMib guest RAM to copy
     * @param dirtyRateMibps observed dirty rate
     * @param bandwidthMbps link bandwidth this migration may use, megabits per second
     */
    MoveCost predict(long memoryMib, double dirtyRateMibps, long bandwidthMbps);
}
