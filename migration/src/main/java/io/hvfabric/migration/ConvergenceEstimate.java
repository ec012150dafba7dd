package io.hvfabric.migration;

/**
 * What the policy read from the recent progress samples.
 *
 * @param dirtyRateMibps            D, averaged over the estimation window
 * @param throughputMibps           B, averaged over the estimation window
 * @param remainingMib              what is left to send at the last sample
 * @param predictedDowntimeMs       remaining ÷ B: the pause if QEMU switched over now
 * @param predictedRemainingSeconds time until pre-copy finishes by the cost model; infinite if it will not
 * @param converges                 the cost model expects pre-copy to end within the downtime limit
 */
public record ConvergenceEstimate(
        double dirtyRateMibps,
        double throughputMibps,
        double remainingMib,
        long predictedDowntimeMs,
        double predictedRemainingSeconds,
        boolean converges) {}
