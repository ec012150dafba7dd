package io.hvfabric.migration;

import io.hvfabric.proto.v1.MigrationProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Judges each active progress sample: converging, stalled (dirty rate too close to throughput: pre-copy cannot
 * converge), late (converging, but not before the max duration) or unknown (no rates yet), and measures how long
 * the trouble has lasted. A stall counts in rounds (QEMU's dirty-sync-count), since the dirty rate is only measured
 * at each sync; lateness counts in samples, since its prediction moves with every sample and a round of a large
 * guest can outlast the whole time budget.
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

    /** A run of troubled samples ending at the latest one: how many samples and how many distinct rounds. */
    record Streak(int samples, int rounds, Kind latest) {
        static final Streak NONE = new Streak(0, 0, Kind.CONVERGING);

        /** The length in the unit that matters for the latest kind of trouble. */
        int length() {
            return latest == Kind.LATE ? samples : rounds;
        }

        String unit() {
            return latest == Kind.LATE ? "samples" : "rounds";
        }
    }

    private final MigrationCostModel model;
    private final double margin;
    private final int window;
    private final StartPlan plan;
    private final long elapsedMs;

    RoundJudge(MigrationCostModel model, int window, StartPlan plan, long elapsedMs) {
        this.model = model;
        this.margin = model.convergenceMargin();
        this.window = window;
        this.plan = plan;
        this.elapsedMs = elapsedMs;
    }

    /**
     * Verdicts for the trailing active samples, oldest first: back to (and including) the first one not in trouble,
     * or until they span {@code limit} samples and {@code limit} rounds, which keeps each call cheap however long
     * the migration has run.
     */
    List<Verdict> judgeTrailing(List<MigrationProgress> samples, int limit) {
        long[] roundStarts = roundStarts(samples);
        List<Verdict> verdicts = new ArrayList<>();
        int rounds = 0;
        for (int i = samples.size() - 1; i >= 0 && (verdicts.size() < limit || rounds < limit); i--) {
            if (!isActive(samples.get(i))) {
                continue;
            }
            Verdict v = judge(samples, i, roundStarts[i]);
            if (verdicts.isEmpty() || verdicts.get(0).round() != v.round()) {
                rounds++;
            }
            verdicts.add(0, v);
            if (!v.troubled()) {
                break;
            }
        }
        return verdicts;
    }

    /** The trailing run of troubled verdicts that also satisfy {@code also}. */
    static Streak trailing(List<Verdict> verdicts, Predicate<Verdict> also) {
        if (verdicts.isEmpty()) {
            return Streak.NONE;
        }
        Kind latest = verdicts.get(verdicts.size() - 1).kind();
        int samples = 0;
        int rounds = 0;
        long lastRound = Long.MIN_VALUE;
        for (int i = verdicts.size() - 1; i >= 0; i--) {
            Verdict v = verdicts.get(i);
            if (!v.troubled() || !also.test(v)) {
                break;
            }
            samples++;
            if (v.round() != lastRound) {
                rounds++;
                lastRound = v.round();
            }
        }
        return samples == 0 ? Streak.NONE : new Streak(samples, rounds, latest);
    }

    /**
     * D and B averaged over the last {@code window} active samples up to {@code index}, and what they predict. The
     * remaining bytes QEMU reports shrink during a round and jump at each sync, so the time left is this round's
     * remainder plus the series that starts with what the guest dirties during the whole round.
     */
    Optional<ConvergenceEstimate> estimateAt(List<MigrationProgress> samples, int index) {
        return estimateAt(samples, index, roundStarts(samples)[index]);
    }

    private Optional<ConvergenceEstimate> estimateAt(List<MigrationProgress> samples, int index, long roundStartMs) {
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
        MigrationProgress s = samples.get(index);
        double remainingMib = Math.max(0, s.getRemainingBytes()) / MIB;
        long downtime = Math.round(remainingMib / throughput * 1000.0);
        if (dirty >= throughput * (1 - margin)) {
            return Optional.of(new ConvergenceEstimate(dirty, throughput, remainingMib, downtime,
                    Double.POSITIVE_INFINITY, false));
        }
        double roundSeconds = Math.max(0, elapsedAt(s) - roundStartMs) / 1000.0
                + remainingMib / throughput;
        double nextRoundMib = dirty * roundSeconds;
        if (s.getTotalBytes() > 0) {
            nextRoundMib = Math.min(nextRoundMib, s.getTotalBytes() / MIB);
        }
        double seconds = remainingMib / throughput
                + model.predict(nextRoundMib, dirty, throughput, plan.downtimeLimitMs()).seconds();
        return Optional.of(new ConvergenceEstimate(dirty, throughput, remainingMib, downtime, seconds, true));
    }

    private Verdict judge(List<MigrationProgress> samples, int index, long roundStartMs) {
        MigrationProgress s = samples.get(index);
        Optional<ConvergenceEstimate> e = estimateAt(samples, index, roundStartMs);
        if (e.isEmpty()) {
            return new Verdict(s.getRound(), Kind.UNKNOWN, e, Double.NaN, s.getCpuThrottlePercent());
        }
        double end = elapsedAt(s) + e.get().predictedRemainingSeconds() * 1000.0;
        Kind kind = !e.get().converges() ? Kind.STALLED : end > plan.maxDurationMs() ? Kind.LATE : Kind.CONVERGING;
        return new Verdict(s.getRound(), kind, e, end, s.getCpuThrottlePercent());
    }

    private long elapsedAt(MigrationProgress s) {
        return s.getElapsedMs() > 0 ? s.getElapsedMs() : elapsedMs;
    }

    /** When each sample's round began: the last sample of an earlier round, or the start of the migration. */
    private static long[] roundStarts(List<MigrationProgress> samples) {
        long[] starts = new long[samples.size()];
        long start = 0;
        long lastEarlierElapsed = 0;
        for (int i = 0; i < samples.size(); i++) {
            MigrationProgress p = samples.get(i);
            if (i > 0 && p.getRound() > samples.get(i - 1).getRound()) {
                start = lastEarlierElapsed;
            }
            starts[i] = start;
            if (p.getElapsedMs() > 0) {
                lastEarlierElapsed = p.getElapsedMs();
            }
        }
        return starts;
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
}
