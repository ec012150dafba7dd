package io.hvfabric.scheduler.drain;

import io.hvfabric.migration.MigrationCostModel;
import java.time.Duration;

/**
 * Plans with the migration module's {@link MigrationCostModel}, the one the migration controller's policy uses, so
 * planners and the controller agree on what converges.
 *
 * <p>That model reports a non-converging migration as infinitely long. Planners need a finite figure for the ETA, so
 * such a move is costed as what the controller does about it: one full pre-copy pass, then a forced switchover with the
 * model's forced pause as downtime; it stays flagged as not converging, so the rebalancer vetoes it and a drain plan
 * warns about it.
 */
public final class MigrationModuleCostModel implements MoveCostModel {

    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

    private final MigrationCostModel model;
    private final double maxDowntimeMs;

    public MigrationModuleCostModel(MigrationCostModel model, Duration maxDowntime) {
        if (model == null) {
            throw new IllegalArgumentException("MigrationModuleCostModel.model must be set");
        }
        if (maxDowntime == null || maxDowntime.isNegative() || maxDowntime.isZero()) {
            throw new IllegalArgumentException("MigrationModuleCostModel.maxDowntime must be > 0, got " + maxDowntime);
        }
        this.model = model;
        this.maxDowntimeMs = maxDowntime.toNanos() / 1e6;
    }

    @Override
    public MoveCost predict(long memoryMib, double dirtyRateMibps, long bandwidthMbps) {
        if (bandwidthMbps <= 0) {
            throw new IllegalArgumentException("bandwidthMbps must be > 0, got " + bandwidthMbps);
        }
        double link = PreCopyCostModel.mibPerSecond(bandwidthMbps);
        MigrationCostModel.Prediction p = model.predict(memoryMib, dirtyRateMibps, link, maxDowntimeMs);
        double downtime = p.downtimeMs() / 1000.0;
        if (p.converges()) {
            return new MoveCost(true, (int) p.rounds(), p.seconds() - downtime, downtime, p.bytes() / BYTES_PER_MIB);
        }
        double firstPass = memoryMib / link;
        return new MoveCost(false, 1, firstPass, downtime, memoryMib + downtime * link);
    }
}
