package io.hvfabric.migration;

/**
 * Pre-copy as a geometric series. Round 0 sends all of memory M at throughput B; while a round of size R is sent the
 * guest dirties D·R/B, so round i sends M·rⁱ with r = D/B. Once what is left fits in the downtime budget
 * (M·rⁿ ≤ B·T) QEMU pauses the guest and sends it: that is the downtime. The model dirties memory uniformly, which
 * overestimates guests with a small hot working set: it errs towards "will not converge".
 *
 * @param convergenceMargin ε: with r ≥ 1 − ε the series shrinks too slowly to trust, so it is called non-converging
 */
public record MigrationCostModel(double convergenceMargin) {

    private static final double MIB = 1024.0 * 1024.0;

    public MigrationCostModel {
        if (!(convergenceMargin >= 0 && convergenceMargin < 1)) {
            throw new IllegalArgumentException("convergenceMargin must be in [0, 1), got " + convergenceMargin);
        }
    }

    /**
     * @param converges  pre-copy ends within the downtime budget
     * @param seconds    total transfer time including the final stop-and-copy; infinite when it does not converge
     * @param bytes      bytes sent; infinite when it does not converge
     * @param downtimeMs the final stop-and-copy; when it does not converge, the pause a forced switchover would take
     *                   after the first round (everything still dirty, M·r capped at M)
     * @param rounds     pre-copy rounds before the stop-and-copy; -1 when it does not converge
     */
    public record Prediction(boolean converges, double seconds, double bytes, double downtimeMs, long rounds) {}

    /**
     * @param memoryMib      memory still to send (the guest's memory at the start), ≥ 0
     * @param dirtyRateMibps guest dirty rate, ≥ 0
     * @param linkMibps      throughput the migration gets, &gt; 0
     * @param maxDowntimeMs  downtime budget, &gt; 0
     */
    public Prediction predict(double memoryMib, double dirtyRateMibps, double linkMibps, double maxDowntimeMs) {
        requireFinite("memoryMib", memoryMib, 0, false);
        requireFinite("dirtyRateMibps", dirtyRateMibps, 0, false);
        requireFinite("linkMibps", linkMibps, 0, true);
        requireFinite("maxDowntimeMs", maxDowntimeMs, 0, true);

        double m = memoryMib;
        double b = linkMibps;
        double budgetMib = b * maxDowntimeMs / 1000.0;
        if (m <= budgetMib) {
            // Everything fits in one pause: QEMU goes straight to stop-and-copy.
            return new Prediction(true, m / b, m * MIB, m / b * 1000.0, 0);
        }
        double r = dirtyRateMibps / b;
        if (r >= 1 - convergenceMargin) {
            double forcedPauseMib = Math.min(m, m * r);
            return new Prediction(false, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                    forcedPauseMib / b * 1000.0, -1);
        }
        long n = roundsUntilFits(m, r, budgetMib);
        double rn = Math.pow(r, n);
        // Σ_{i=0..n} M·rⁱ: n pre-copy rounds plus the stop-and-copy of M·rⁿ.
        double sentMib = r == 0 ? m : m * (1 - rn * r) / (1 - r);
        double pauseMib = m * rn;
        return new Prediction(true, sentMib / b, sentMib * MIB, pauseMib / b * 1000.0, n);
    }

    /** Smallest n ≥ 1 with M·rⁿ ≤ budget (callers guarantee M &gt; budget and r &lt; 1). */
    private static long roundsUntilFits(double m, double r, double budgetMib) {
        if (r == 0) {
            return 1;
        }
        long n = Math.max(1, (long) Math.ceil(Math.log(budgetMib / m) / Math.log(r)));
        // The closed form can be off by one through rounding; settle it against the definition.
        while (m * Math.pow(r, n) > budgetMib) {
            n++;
        }
        while (n > 1 && m * Math.pow(r, n - 1) <= budgetMib) {
            n--;
        }
        return n;
    }

    private static void requireFinite(String field, double value, double min, boolean strict) {
        boolean ok = Double.isFinite(value) && (strict ? value > min : value >= min);
        if (!ok) {
            throw new IllegalArgumentException(
                    field + " must be a finite number " + (strict ? "> " : ">= ") + min + ", got " + value);
        }
    }
}
