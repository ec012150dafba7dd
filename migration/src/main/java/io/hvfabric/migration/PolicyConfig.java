package io.hvfabric.migration;

/**
 * The fabric's migration policy settings, validated in one place. A {@code MigrationObjective} field of zero falls
 * back to the matching default here; a default of zero means "uncapped" (bandwidth) or "derived" (duration).
 *
 * @param defaultMaxDowntimeMs        guest pause allowed at switchover when the objective says 0
 * @param defaultMaxBandwidthMibps    bandwidth cap when the objective says 0; 0 = uncapped
 * @param uncappedBandwidthMibps      what "uncapped" is sent to QEMU as; QEMU's own default cap is 128 MiB/s, so
 *                                    the fabric must always set max-bandwidth
 * @param defaultMaxDurationMs        migration time limit when the objective says 0; 0 = derive from memory and link
 * @param minDerivedDurationMs        floor of a derived time limit: covers QEMU setup and small guests, where fixed
 *                                    costs dominate
 * @param derivedDurationFactor       a derived limit allows this many copies of the guest's memory: pre-copy sends
 *                                    memory ÷ (1 − dirty/throughput), so 10 admits guests dirtying up to 90 % of
 *                                    the link; hotter guests belong to post-copy or abort anyway
 * @param assumedLinkMibps            link speed assumed when the caller does not know it
 * @param multifdEnabled              the multifd rung may be used (only when post-copy is not armed: QEMU 7.2
 *                                    cannot combine them)
 * @param multifdChannels             multifd-channels (both sides)
 * @param multifdMinMemoryMib         guests at least this large start with multifd; smaller ones gain nothing from
 *                                    parallel streams
 * @param autoConvergeEnabled         the auto-converge rung may be armed (when post-copy is not)
 * @param cpuThrottleInitialPercent   cpu-throttle-initial
 * @param cpuThrottleIncrementPercent cpu-throttle-increment at start; the policy raises it while pre-copy lags
 * @param maxCpuThrottlePercent       max-cpu-throttle
 * @param postcopyAllowed             postcopy-ram may be armed and switched to
 * @param nonConvergingRounds         consecutive non-converging rounds before climbing a rung (k)
 * @param convergenceMargin           pre-copy is taken to converge only while dirty rate &lt; throughput × (1 − ε)
 * @param estimationWindow            samples averaged for the dirty rate and throughput estimates
 */
public record PolicyConfig(
        long defaultMaxDowntimeMs,
        long defaultMaxBandwidthMibps,
        long uncappedBandwidthMibps,
        long defaultMaxDurationMs,
        long minDerivedDurationMs,
        double derivedDurationFactor,
        double assumedLinkMibps,
        boolean multifdEnabled,
        int multifdChannels,
        long multifdMinMemoryMib,
        boolean autoConvergeEnabled,
        int cpuThrottleInitialPercent,
        int cpuThrottleIncrementPercent,
        int maxCpuThrottlePercent,
        boolean postcopyAllowed,
        int nonConvergingRounds,
        double convergenceMargin,
        int estimationWindow) {

    public PolicyConfig {
        positive("defaultMaxDowntimeMs", defaultMaxDowntimeMs);
        nonNegative("defaultMaxBandwidthMibps", defaultMaxBandwidthMibps);
        positive("uncappedBandwidthMibps", uncappedBandwidthMibps);
        nonNegative("defaultMaxDurationMs", defaultMaxDurationMs);
        positive("minDerivedDurationMs", minDerivedDurationMs);
        if (!(derivedDurationFactor >= 1) || Double.isInfinite(derivedDurationFactor)) {
            throw invalid("derivedDurationFactor", "must be a finite number >= 1", derivedDurationFactor);
        }
        if (!(assumedLinkMibps > 0) || Double.isInfinite(assumedLinkMibps)) {
            throw invalid("assumedLinkMibps", "must be a finite number > 0", assumedLinkMibps);
        }
        if (multifdChannels < 1 || multifdChannels > 255) {
            throw invalid("multifdChannels", "must be between 1 and 255 (QEMU's range)", multifdChannels);
        }
        nonNegative("multifdMinMemoryMib", multifdMinMemoryMib);
        percent("cpuThrottleInitialPercent", cpuThrottleInitialPercent);
        percent("cpuThrottleIncrementPercent", cpuThrottleIncrementPercent);
        percent("maxCpuThrottlePercent", maxCpuThrottlePercent);
        if (maxCpuThrottlePercent < cpuThrottleInitialPercent) {
            throw invalid("maxCpuThrottlePercent", "must be >= cpuThrottleInitialPercent (" + cpuThrottleInitialPercent
                    + ")", maxCpuThrottlePercent);
        }
        if (nonConvergingRounds < 1) {
            throw invalid("nonConvergingRounds", "must be >= 1", nonConvergingRounds);
        }
        if (!(convergenceMargin >= 0 && convergenceMargin < 1)) {
            throw invalid("convergenceMargin", "must be in [0, 1)", convergenceMargin);
        }
        if (estimationWindow < 1) {
            throw invalid("estimationWindow", "must be >= 1", estimationWindow);
        }
    }

    /** 300 ms downtime, uncapped (10 GiB/s to QEMU), derived duration, all rungs, 4 multifd channels, k = 3. */
    public static PolicyConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw invalid(field, "must be > 0", value);
        }
    }

    private static void nonNegative(String field, long value) {
        if (value < 0) {
            throw invalid(field, "must be >= 0", value);
        }
    }

    private static void percent(String field, int value) {
        if (value < 1 || value > 99) {
            throw invalid(field, "must be between 1 and 99 (QEMU's range)", value);
        }
    }

    private static IllegalArgumentException invalid(String field, String rule, Object value) {
        return new IllegalArgumentException("migration policy " + field + " " + rule + ", got " + value);
    }

    /** Fluent construction starting from the defaults. */
    public static final class Builder {
        private long defaultMaxDowntimeMs = 300;
        private long defaultMaxBandwidthMibps = 0;
        private long uncappedBandwidthMibps = 10_240;
        private long defaultMaxDurationMs = 0;
        private long minDerivedDurationMs = 20_000;
        private double derivedDurationFactor = 10;
        private double assumedLinkMibps = 100;
        private boolean multifdEnabled = true;
        private int multifdChannels = 4;
        private long multifdMinMemoryMib = 1024;
        private boolean autoConvergeEnabled = true;
        private int cpuThrottleInitialPercent = 20;
        private int cpuThrottleIncrementPercent = 10;
        private int maxCpuThrottlePercent = 99;
        private boolean postcopyAllowed = true;
        private int nonConvergingRounds = 3;
        private double convergenceMargin = 0.05;
        private int estimationWindow = 3;

        private Builder() {}

        private Builder(PolicyConfig c) {
            defaultMaxDowntimeMs = c.defaultMaxDowntimeMs;
            defaultMaxBandwidthMibps = c.defaultMaxBandwidthMibps;
            uncappedBandwidthMibps = c.uncappedBandwidthMibps;
            defaultMaxDurationMs = c.defaultMaxDurationMs;
            minDerivedDurationMs = c.minDerivedDurationMs;
            derivedDurationFactor = c.derivedDurationFactor;
            assumedLinkMibps = c.assumedLinkMibps;
            multifdEnabled = c.multifdEnabled;
            multifdChannels = c.multifdChannels;
            multifdMinMemoryMib = c.multifdMinMemoryMib;
            autoConvergeEnabled = c.autoConvergeEnabled;
            cpuThrottleInitialPercent = c.cpuThrottleInitialPercent;
            cpuThrottleIncrementPercent = c.cpuThrottleIncrementPercent;
            maxCpuThrottlePercent = c.maxCpuThrottlePercent;
            postcopyAllowed = c.postcopyAllowed;
            nonConvergingRounds = c.nonConvergingRounds;
            convergenceMargin = c.convergenceMargin;
            estimationWindow = c.estimationWindow;
        }

        public Builder defaultMaxDowntimeMs(long v) { defaultMaxDowntimeMs = v; return this; }
        public Builder defaultMaxBandwidthMibps(long v) { defaultMaxBandwidthMibps = v; return this; }
        public Builder uncappedBandwidthMibps(long v) { uncappedBandwidthMibps = v; return this; }
        public Builder defaultMaxDurationMs(long v) { defaultMaxDurationMs = v; return this; }
        public Builder minDerivedDurationMs(long v) { minDerivedDurationMs = v; return this; }
        public Builder derivedDurationFactor(double v) { derivedDurationFactor = v; return this; }
        public Builder assumedLinkMibps(double v) { assumedLinkMibps = v; return this; }
        public Builder multifdEnabled(boolean v) { multifdEnabled = v; return this; }
        public Builder multifdChannels(int v) { multifdChannels = v; return this; }
        public Builder multifdMinMemoryMib(long v) { multifdMinMemoryMib = v; return this; }
        public Builder autoConvergeEnabled(boolean v) { autoConvergeEnabled = v; return this; }
        public Builder cpuThrottleInitialPercent(int v) { cpuThrottleInitialPercent = v; return this; }
        public Builder cpuThrottleIncrementPercent(int v) { cpuThrottleIncrementPercent = v; return this; }
        public Builder maxCpuThrottlePercent(int v) { maxCpuThrottlePercent = v; return this; }
        public Builder postcopyAllowed(boolean v) { postcopyAllowed = v; return this; }
        public Builder nonConvergingRounds(int v) { nonConvergingRounds = v; return this; }
        public Builder convergenceMargin(double v) { convergenceMargin = v; return this; }
        public Builder estimationWindow(int v) { estimationWindow = v; return this; }

        public PolicyConfig build() {
            return new PolicyConfig(defaultMaxDowntimeMs, defaultMaxBandwidthMibps, uncappedBandwidthMibps,
                    defaultMaxDurationMs, minDerivedDurationMs, derivedDurationFactor, assumedLinkMibps,
                    multifdEnabled, multifdChannels, multifdMinMemoryMib, autoConvergeEnabled,
                    cpuThrottleInitialPercent, cpuThrottleIncrementPercent, maxCpuThrottlePercent, postcopyAllowed,
                    nonConvergingRounds, convergenceMargin, estimationWindow);
        }
    }
}
