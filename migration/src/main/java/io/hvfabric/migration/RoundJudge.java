package io.hvfabric.migration;

import io.hvfabric.proto.v1.MigrationProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads progress samples round by round (a round is QEMU's dirty-sync-count) and judges each: converging, stalled
 * (dirty rate too close to throughput), late (converging, but not before the max duration) or unknown.
 */
final class RoundJudge {

    private static final double MIB = 1024.0 * 1024.0;

    enum Kind { CONVERGING, STALLED, LATE, UNKNOWN }

    record Verdict(long round, Kind kind, Optional<ConvergenceEstimate> estimate, double predictedEndMs,
            int throttlePercent) {
        boolean troubled() {
            return kind == Kind.STALLED || kind == Kind.LATE;
        }
    }

    private final MigrationCostModel model;
    private final int window;
    private final StartPlan plan;
    private final long elapsedMs;

    RoundJudge(MigrationCostModel model, int window, StartPlan plan, long elapsedMs) {
        this.model = model;
        this.window = window;
        this.plan = plan;
        this.elapsedMs = elapsedMs;
    }

    /** One verdict per run of consecutive active samples with the same round, judged at its last sample. */
    List<Verdict> judgeRounds(List<MigrationProgress> samples) {
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            MigrationProgress s = samples.get(i);
            if (!isActive(s)) {
                continue;
            }
            int next = nextActive(samples, i);
            boolean lastOfRound = next < 0 || samples.get(next).getRound() != s.getRound();
            if (lastOfRound) {
                verdicts.add(judge(samples, i));
            }
        }
        return verdicts;
    }

    /** Trailing troubled rounds, counting only those throttled at least {@code minThrottle} percent. */
    static int trailingNonConverging(List<Verdict> verdicts, int minThrottle) {
        int n = 0;
        for (int i = verdicts.size() - 1; i >= 0; i--) {
            Verdict v = verdicts.get(i);
            if (!v.troubled() || v.throttlePercent() < minThrottle) {
                break;
            }
            n++;
        }
        return n;
    }

    /** D and B averaged over the last {@code window} active samples up to {@code index}. */
    Optional<ConvergenceEstimate> estimateAt(List<MigrationProgress> samples, int index) {
        List<MigrationProgress> recent = new ArrayList<>();
        for (int i = index; i >= 0 && recent.size() < window; i--) {
            if (isActive(samples.get(i)) || i == index) {
                recent.add(0, samples.get(i));
            }
        }
        double dirty = recent.stream().mapToDouble(MigrationProgress::getDirtyRateMibps).average().orElse(0);
        double throughput = recent.stream().mapToDouble(MigrationProgress::getThroughputMibps).filter(b -> b > 0)
                .average().orElse(throughputFromBytes(recent));
        if (!(throughput > 0) || !Double.isFinite(throughput) || !(dirty >= 0) || !Double.isFinite(dirty)) {
            return Optional.empty();
        }
        double remainingMib = Math.max(0, samples.get(index).getRemainingBytes()) / MIB;
        MigrationCostModel.Prediction p = model.predict(remainingMib, dirty, throughput, plan.downtimeLimitMs());
        long downtime = Math.round(remainingMib / throughput * 1000.0);
        return Optional.of(new ConvergenceEstimate(dirty, throughput, remainingMib, downtime, p.seconds(),
                p.converges()));
    }

    private Verdict judge(List<MigrationProgress> samples, int index) {
        MigrationProgress s = samples.get(index);
        Optional<ConvergenceEstimate> e = estimateAt(samples, index);
        if (e.isEmpty()) {
            return new Verdict(s.getRound(), Kind.UNKNOWN, e, Double.NaN, s.getCpuThrottlePercent());
        }
        long at = s.getElapsedMs() > 0 ? s.getElapsedMs() : elapsedMs;
        double end = at + e.get().predictedRemainingSeconds() * 1000.0;
        Kind kind = !e.get().converges() ? Kind.STALLED : end > plan.maxDurationMs() ? Kind.LATE : Kind.CONVERGING;
        return new Verdict(s.getRound(), kind, e, end, s.getCpuThrottlePercent());
    }

    /** When the agent left throughput unset: bytes sent over time between the oldest and newest sample. */
    private static double throughputFromBytes(List<MigrationProgress> recent) {
        if (recent.size() < 2) {
            return 0;
        }
        MigrationProgress first = recent.get(0);
        MigrationProgress last = recent.get(recent.size() - 1);
        long dt = last.getElapsedMs() - first.getElapsedMs();
        long db = last.getTransferredBytes() - first.getTransferredBytes();
        return dt > 0 && db > 0 ? db / MIB / (dt / 1000.0) : 0;
    }

    private static boolean isActive(MigrationProgress s) {
        return QemuMigrationStatus.of(s.getStatus()) == QemuMigrationStatus.ACTIVE;
    }

    private static int nextActive(List<MigrationProgress> samples, int after) {
        for (int j = after + 1; j < samples.size(); j++) {
            if (isActive(samples.get(j))) {
                return j;
            }
        }
        return -1;
    }
}
