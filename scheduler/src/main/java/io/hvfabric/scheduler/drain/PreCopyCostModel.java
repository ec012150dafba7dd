package io.hvfabric.scheduler.drain;

import java.time.Duration;

/**
 * The textbook pre-copy model: round 0 copies all of RAM; each later round re-copies what the guest dirtied during the
 * previous one, so the remainder shrinks geometrically by dirty rate ÷ bandwidth. Pre-copy stops when the remainder
 * can be copied within the downtime limit; that last copy is the downtime. It converges only if the dirty rate is
 * below the bandwidth (and within {@code maxRounds}); otherwise the prediction is the cost of forcing a stop-and-copy
 * after {@code maxRounds}, flagged as not converging.
 *
 * <p>Conservative: it copies every page, whereas QEMU skips zero pages, so idle guests migrate faster than predicted.
 */
public final class PreCopyCostModel implements MoveCostModel {

    public static final Duration DEFAULT_MAX_DOWNTIME = Duration.ofMillis(300);
    public static final int DEFAULT_MAX_ROUNDS = 30;

    private final double maxDowntimeSeconds;
    private final int maxRounds;

    public PreCopyCostModel() {
        this(DEFAULT_MAX_DOWNTIME, DEFAULT_MAX_ROUNDS);
    }

    public PreCopyCostModel(Duration maxDowntime, int maxRounds) {
        if (maxDowntime == null || maxDowntime.isNegative() || maxDowntime.isZero()) {
            throw new IllegalArgumentException("PreCopyCostModel.maxDowntime must be > 0, got " + maxDowntime);
        }
        if (maxRounds < 1) {
            throw new IllegalArgumentException("PreCopyCostModel.maxRounds must be >= 1, got " + maxRounds);
        }
        this.maxDowntimeSeconds = maxDowntime.toNanos() / 1e9;
        this.maxRounds = maxRounds;
    }

    /** Megabits per second to MiB per second. */
    public static double mibPerSecond(long mbps) {
        return mbps * 1_000_000.0 / 8 / (1024 * 1024);
    }

    @Override
    public MoveCost predict(long memoryMib, double dirtyRateMibps, long bandwidthMbps) {
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib must be >= 0, got " + memoryMib);
        }
        if (!(dirtyRateMibps >= 0)) {
            throw new IllegalArgumentException("dirtyRateMibps must be >= 0, got " + dirtyRateMibps);
        }
        if (bandwidthMbps <= 0) {
            throw new IllegalArgumentException("bandwidthMbps must be > 0, got " + bandwidthMbps);
        }
        double bandwidth = mibPerSecond(bandwidthMbps);
        double remaining = memoryMib;
        double precopy = 0;
        double sent = 0;
        int rounds = 0;
        while (remaining / bandwidth > maxDowntimeSeconds && rounds < maxRounds) {
            double roundSeconds = remaining / bandwidth;
            precopy += roundSeconds;
            sent += remaining;
            // What the guest dirtied meanwhile; never more than its whole RAM.
            remaining = Math.min(memoryMib, dirtyRateMibps * roundSeconds);
            rounds++;
        }
        double downtime = remaining / bandwidth;
        boolean converges = dirtyRateMibps < bandwidth && downtime <= maxDowntimeSeconds;
        return new MoveCost(converges, rounds, precopy, downtime, sent + remaining);
    }
}
