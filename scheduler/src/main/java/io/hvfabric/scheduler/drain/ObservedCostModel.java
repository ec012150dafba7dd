package io.hvfabric.scheduler.drain;

import java.util.List;
import java.util.function.Supplier;

/**
 * A cost model calibrated on the migrations this cluster actually completed. A link-bound model predicts a 256 MiB
 * guest over 10 Gbit/s in a fraction of a second; on hosts where encryption and the guests share a few cores, and
 * every migration also starts a QEMU and switches ownership, it takes seconds.
 *
 * <p>Two ratios over recent completed migrations (ratios, not a fitted line: guests of one size send nearly the same
 * bytes, which leaves a line's slope to noise):
 * <ul>
 *   <li><b>seconds per MiB of guest RAM</b>, end to end: what a move of a guest that size took, fixed costs included;
 *   <li><b>throughput</b>, bytes sent ÷ time: used with the base model to decide convergence, rounds and downtime
 *       (a guest dirtying faster than the stream is encrypted will not converge, whatever the NIC).
 * </ul>
 * A dirty guest takes longer than an idle one of the same size by the factor the base model predicts between the two.
 * With fewer than {@link #MIN_SAMPLES} observations the base model's prediction stands unchanged.
 */
public final class ObservedCostModel implements MoveCostModel {
    static final int MIN_SAMPLES = 3;
    private static final double MIB = 1024.0 * 1024;
    /** A planner asks once per candidate move; the observations change only when a migration completes. */
    private static final long RECALIBRATE_NANOS = 2_000_000_000L;

    /** One completed migration: the guest's RAM, what it sent and how long it took end to end. */
    public record Observation(long memoryMib, long transferredBytes, long totalMs) {}

    /** What the observations say, exposed for logs and tests. */
    record Calibration(double secondsPerRamMib, double throughputMibps) {}

    private final MoveCostModel base;
    private final Supplier<List<Observation>> recent;
    private Calibration calibration;
    private long calibratedAt;
    private boolean calibrated;

    public ObservedCostModel(MoveCostModel base, Supplier<List<Observation>> recent) {
        this.base = base;
        this.recent = recent;
    }

    @Override
    public MoveCost predict(long memoryMib, double dirtyRateMibps, long bandwidthMbps) {
        Calibration c = current();
        if (c == null) {
            return base.predict(memoryMib, dirtyRateMibps, bandwidthMbps);
        }
        long observedMbps = Math.max(1, (long) (c.throughputMibps() * MIB * 8 / 1_000_000));
        long effective = Math.min(bandwidthMbps, observedMbps);
        MoveCost dirty = base.predict(memoryMib, dirtyRateMibps, effective);
        MoveCost idle = base.predict(memoryMib, 0, effective);
        double dirtyFactor = idle.totalSeconds() > 0 ? dirty.totalSeconds() / idle.totalSeconds() : 1;
        double total = memoryMib * c.secondsPerRamMib() * dirtyFactor;
        double downtime = Math.min(dirty.downtimeSeconds(), total);
        return new MoveCost(dirty.converges(), dirty.rounds(), total - downtime, downtime, dirty.transferredMib());
    }

    private synchronized Calibration current() {
        long now = System.nanoTime();
        if (!calibrated || now - calibratedAt > RECALIBRATE_NANOS) {
            calibration = calibrate(recent.get());
            calibratedAt = now;
            calibrated = true;
        }
        return calibration;
    }

    /** Null when there are too few usable observations to trust. */
    static Calibration calibrate(List<Observation> observations) {
        double seconds = 0;
        double ramMib = 0;
        double sentMib = 0;
        int n = 0;
        for (Observation o : observations) {
            if (o.memoryMib() > 0 && o.transferredBytes() > 0 && o.totalMs() > 0) {
                seconds += o.totalMs() / 1000.0;
                ramMib += o.memoryMib();
                sentMib += o.transferredBytes() / MIB;
                n++;
            }
        }
        if (n < MIN_SAMPLES) {
            return null;
        }
        return new Calibration(seconds / ramMib, sentMib / seconds);
    }
}
