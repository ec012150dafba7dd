package io.hvfabric.migration;

import io.hvfabric.proto.v1.MigrationObjective;
import io.hvfabric.proto.v1.MigrationProgress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The convergence ladder as pure functions: {@link #plan} picks what QEMU starts with, {@link #decide} is fed the
 * progress samples every few hundred milliseconds and says whether to climb a rung, and {@link #vetoNonConverging}
 * lets the rebalancer skip moves that would not pay off. Every limit comes from the objective or {@link PolicyConfig}.
 *
 * <p>QEMU 7.2 shapes the ladder: capabilities are fixed before {@code migrate}, multifd and post-copy exclude each
 * other, and post-copy must be armed on both sides. So:
 * <ul>
 *   <li>post-copy allowed: plain pre-copy with postcopy-ram armed. Post-copy always finishes (the guest moves and
 *       pulls its missing pages), which beats multifd's extra throughput for a guest that dirties faster than the
 *       link; an idle guest finishes in pre-copy and never uses it.</li>
 *   <li>post-copy not allowed: multifd for guests of at least {@code multifdMinMemoryMib} (parallel streams lift the
 *       single sender thread's limit, TLS in particular), plus auto-converge armed as the only remaining way to make
 *       a hot guest converge.</li>
 * </ul>
 * The capabilities both sides must agree on depend only on the objective, the guest's memory and the config, so the
 * target, which knows neither the link nor the dirty rate, arms the same ones by calling {@code plan} with the same
 * objective and memory.
 */
public final class MigrationPolicy {

    private static final double MIB = 1024.0 * 1024.0;

    private final PolicyConfig config;
    private final MigrationCostModel costModel;

    public MigrationPolicy(PolicyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.costModel = new MigrationCostModel(config.convergenceMargin());
    }

    public PolicyConfig config() {
        return config;
    }

    public MigrationCostModel costModel() {
        return costModel;
    }

    // ---- resolving the objective ----

    /** The objective's max downtime, or the fabric default when it is 0. */
    public long maxDowntimeMs(MigrationObjective objective) {
        validate(objective);
        return objective.getMaxDowntimeMs() > 0 ? objective.getMaxDowntimeMs() : config.defaultMaxDowntimeMs();
    }

    /** The max-bandwidth to give QEMU in MiB/s: the objective's cap, else the default cap, else "uncapped". */
    public long maxBandwidthMibps(MigrationObjective objective) {
        validate(objective);
        if (objective.getMaxBandwidthMibps() > 0) {
            return objective.getMaxBandwidthMibps();
        }
        return config.defaultMaxBandwidthMibps() > 0 ? config.defaultMaxBandwidthMibps() : config.uncappedBandwidthMibps();
    }

    /** Throughput to expect: the link (or the assumed link when it is 0 = unknown), no more than max-bandwidth. */
    public double expectedBandwidthMibps(MigrationObjective objective, double linkMibps) {
        requireNonNegativeFinite("linkMibps", linkMibps);
        double link = linkMibps > 0 ? linkMibps : config.assumedLinkMibps();
        return Math.min(link, maxBandwidthMibps(objective));
    }

    /**
     * The objective's max duration, else the default, else derived: max(minDerivedDurationMs, derivedDurationFactor ×
     * memory ÷ expected bandwidth). A converging pre-copy sends memory ÷ (1 − D/B), so the factor is the hottest
     * guest (D/B = 1 − 1/factor) a derived limit still lets finish in pre-copy.
     */
    public long maxDurationMs(MigrationObjective objective, long memoryMib, double linkMibps) {
        validate(objective);
        requirePositive("memoryMib", memoryMib);
        if (objective.getMaxDurationMs() > 0) {
            return objective.getMaxDurationMs();
        }
        if (config.defaultMaxDurationMs() > 0) {
            return config.defaultMaxDurationMs();
        }
        double copies = config.derivedDurationFactor() * memoryMib / expectedBandwidthMibps(objective, linkMibps);
        return Math.max(config.minDerivedDurationMs(), (long) Math.ceil(copies * 1000.0));
    }

    // ---- (a) what to start with ----

    /**
     * @param linkMibps               measured link throughput to the target; 0 when unknown
     * @param lastKnownDirtyRateMibps the guest's dirty rate when last measured, if ever; only informs the prediction
     *                                and reason, since a stale rate must not decide capabilities that cannot change
     */
    public StartPlan plan(MigrationObjective objective, long memoryMib, double linkMibps,
            Optional<Double> lastKnownDirtyRateMibps) {
        validate(objective);
        requirePositive("memoryMib", memoryMib);
        requireNonNegativeFinite("linkMibps", linkMibps);
        Objects.requireNonNull(lastKnownDirtyRateMibps, "lastKnownDirtyRateMibps must not be null (use Optional.empty())");
        lastKnownDirtyRateMibps.ifPresent(d -> requireNonNegativeFinite("lastKnownDirtyRateMibps", d));

        boolean postcopy = config.postcopyAllowed();
        boolean multifd = !postcopy && config.multifdEnabled() && memoryMib >= config.multifdMinMemoryMib();
        boolean autoConverge = !postcopy && config.autoConvergeEnabled();
        Rung rung = multifd ? Rung.MULTIFD : Rung.PRECOPY;

        long downtimeMs = maxDowntimeMs(objective);
        double bandwidth = expectedBandwidthMibps(objective, linkMibps);
        Optional<MigrationCostModel.Prediction> prediction =
                lastKnownDirtyRateMibps.map(d -> costModel.predict(memoryMib, d, bandwidth, downtimeMs));

        StringBuilder reason = new StringBuilder();
        if (postcopy) {
            reason.append("pre-copy with post-copy armed: a guest that does not converge within ")
                    .append(downtimeMs).append(" ms switches to post-copy");
        } else {
            reason.append(multifd
                    ? "multifd (" + config.multifdChannels() + " channels) for a " + memoryMib + " MiB guest"
                    : "pre-copy");
            reason.append("; post-copy not allowed; ");
            reason.append(autoConverge
                    ? "auto-converge armed to throttle a guest that outruns the link"
                    : "auto-converge disabled: a guest that does not converge is aborted");
        }
        prediction.ifPresent(p -> reason.append("; at the last known dirty rate ")
                .append(fmt(lastKnownDirtyRateMibps.get())).append(" MiB/s over ").append(fmt(bandwidth))
                .append(" MiB/s pre-copy ")
                .append(p.converges()
                        ? String.format(Locale.ROOT, "needs ~%.1f s and ~%.0f ms downtime", p.seconds(), p.downtimeMs())
                        : "alone will not converge"));

        return new StartPlan(rung, multifd, config.multifdChannels(), autoConverge, postcopy, qemuDowntimeLimitMs(downtimeMs),
                maxBandwidthMibps(objective), maxDurationMs(objective, memoryMib, linkMibps),
                config.cpuThrottleInitialPercent(), config.cpuThrottleIncrementPercent(),
                config.maxCpuThrottlePercent(), memoryMib, bandwidth, prediction, reason.toString());
    }

    /**
     * What QEMU may spend of the objective: the guest stays paused after QEMU's stop-and-copy until the fabric has
     * moved ownership and resumed the target (measured 50–200 ms in the lab), so that part is held back.
     */
    static long qemuDowntimeLimitMs(long objectiveMs) {
        return Math.max(MIN_QEMU_DOWNTIME_MS, objectiveMs - SWITCHOVER_RESERVE_MS);
    }

    static final long SWITCHOVER_RESERVE_MS = 150;
    static final long MIN_QEMU_DOWNTIME_MS = 30;

    // ---- (b) what to do now ----

    /**
     * @param samples   the migration's progress samples so far, oldest first
     * @param plan      what the migration was started with
     * @param elapsedMs time since {@code migrate} was issued, by the caller's clock
     */
    public Decision decide(List<MigrationProgress> samples, StartPlan plan, long elapsedMs) {
        Objects.requireNonNull(samples, "samples must not be null");
        Objects.requireNonNull(plan, "plan must not be null");
        if (elapsedMs < 0) {
            throw new IllegalArgumentException("elapsedMs must be >= 0, got " + elapsedMs);
        }
        if (samples.isEmpty()) {
            return Decisions.proceed(plan.rung(), "no progress sample yet", Optional.empty());
        }
        MigrationProgress last = samples.get(samples.size() - 1);
        QemuMigrationStatus status = QemuMigrationStatus.of(last.getStatus());
        RoundJudge judge = new RoundJudge(costModel, config.estimationWindow(), plan, elapsedMs);
        Optional<ConvergenceEstimate> now = judge.estimateAt(samples, samples.size() - 1);

        if (status.isPostcopy()) {
            return Decisions.proceed(Rung.POSTCOPY, "post-copy running: the guest runs on the target and pulls its "
                    + "remaining pages; it cannot be stopped without losing the guest", now);
        }
        Rung inUse = last.getCpuThrottlePercent() > 0 ? Rung.AUTO_CONVERGE : plan.rung();
        if (status.isTerminal()) {
            return Decisions.proceed(inUse, "QEMU reports " + status + ": nothing left to decide", now);
        }
        if (status != QemuMigrationStatus.ACTIVE && status != QemuMigrationStatus.SETUP) {
            return Decisions.proceed(inUse, "QEMU is in state " + status + ": waiting", now);
        }
        if (elapsedMs >= plan.maxDurationMs()) {
            return Decisions.abort(String.format(Locale.ROOT,
                    "ran %.1f s, past the max duration %.1f s, with %s MiB still to send", elapsedMs / 1000.0,
                    plan.maxDurationMs() / 1000.0, fmt(last.getRemainingBytes() / MIB)), now);
        }

        int k = config.nonConvergingRounds();
        // 7k samples and rounds cover every streak length the ladder reads (the throttle step doubles at most 6 times).
        List<RoundJudge.Verdict> verdicts = judge.judgeTrailing(samples, 7 * k);
        if (verdicts.isEmpty() || now.isEmpty()) {
            return Decisions.proceed(inUse, "measuring: no dirty rate or throughput yet", now);
        }
        RoundJudge.Verdict latest = verdicts.get(verdicts.size() - 1);
        RoundJudge.Streak streak = RoundJudge.trailing(verdicts, v -> true);
        if (streak.length() < k) {
            String state = latest.troubled()
                    ? describeTrouble(latest, streak, plan) + "; watching (" + streak.length() + " of " + k + " "
                            + streak.unit() + ")"
                    : describeConverging(now.get());
            return Decisions.proceed(inUse, state, now);
        }

        String trouble = describeTrouble(latest, streak, plan);
        if (plan.postcopyRam()) {
            return Decisions.startPostcopy(trouble + "; switching to post-copy", now);
        }
        if (plan.autoConverge()) {
            int throttle = last.getCpuThrottlePercent();
            if (throttle < plan.maxCpuThrottlePercent()) {
                int step = Math.min(plan.maxCpuThrottlePercent(),
                        plan.cpuThrottleIncrementPercent() << Math.min(6, streak.length() / k));
                return Decisions.raiseThrottle(step, trouble + "; CPU throttle at " + throttle
                        + "%, raising the throttle step to " + step + "%", now);
            }
            RoundJudge.Streak atMax =
                    RoundJudge.trailing(verdicts, v -> v.throttlePercent() >= plan.maxCpuThrottlePercent());
            if (atMax.length() < k) {
                return Decisions.proceed(Rung.AUTO_CONVERGE, trouble + "; guest throttled at " + throttle
                        + "%, giving it " + (k - atMax.length()) + " more " + atMax.unit(), now);
            }
            return Decisions.abort(trouble + " even with the guest throttled at " + throttle + "%; aborting", now);
        }
        return Decisions.abort(trouble + "; no rung left (post-copy not allowed, auto-converge not armed): aborting",
                now);
    }

    // ---- for the rebalancer ----

    /** Pre-copy cost of moving a guest, at the bandwidth and downtime the objective would give it. */
    public MigrationCostModel.Prediction predict(long memoryMib, double dirtyRateMibps, double linkMibps,
            MigrationObjective objective) {
        requirePositive("memoryMib", memoryMib);
        requireNonNegativeFinite("dirtyRateMibps", dirtyRateMibps);
        return costModel.predict(memoryMib, dirtyRateMibps, expectedBandwidthMibps(objective, linkMibps),
                maxDowntimeMs(objective));
    }

    /**
     * Why an optional move should not be made, or empty if it would converge in pre-copy within the max duration.
     * Post-copy is not counted on: a rebalancing move is not worth the guest's slowdown during post-copy, nor the
     * risk that a network failure then loses the guest.
     */
    public Optional<String> vetoNonConverging(long memoryMib, double dirtyRateMibps, double linkMibps,
            MigrationObjective objective) {
        MigrationCostModel.Prediction p = predict(memoryMib, dirtyRateMibps, linkMibps, objective);
        double bandwidth = expectedBandwidthMibps(objective, linkMibps);
        long downtimeMs = maxDowntimeMs(objective);
        if (!p.converges()) {
            return Optional.of(String.format(Locale.ROOT,
                    "a %d MiB guest dirtying %s MiB/s will not converge over %s MiB/s within %d ms downtime",
                    memoryMib, fmt(dirtyRateMibps), fmt(bandwidth), downtimeMs));
        }
        long limitMs = maxDurationMs(objective, memoryMib, linkMibps);
        if (p.seconds() * 1000.0 > limitMs) {
            return Optional.of(String.format(Locale.ROOT,
                    "moving a %d MiB guest dirtying %s MiB/s over %s MiB/s would take %.1f s, past the max duration"
                            + " %.1f s", memoryMib, fmt(dirtyRateMibps), fmt(bandwidth), p.seconds(),
                    limitMs / 1000.0));
        }
        return Optional.empty();
    }

    // ---- reasons ----

    private static String describeConverging(ConvergenceEstimate e) {
        return String.format(Locale.ROOT,
                "converging: dirty rate %s MiB/s < throughput %s MiB/s, %s MiB left; predicted downtime %d ms, "
                        + "~%.1f s to go", fmt(e.dirtyRateMibps()), fmt(e.throughputMibps()), fmt(e.remainingMib()),
                e.predictedDowntimeMs(), e.predictedRemainingSeconds());
    }

    private static String describeTrouble(RoundJudge.Verdict v, RoundJudge.Streak streak, StartPlan plan) {
        ConvergenceEstimate e = v.estimate().orElseThrow();
        String unit = streak.unit();
        String rounds = streak.length() + " " + (streak.length() == 1 ? unit.substring(0, unit.length() - 1) : unit);
        if (v.kind() == RoundJudge.Kind.STALLED) {
            String relation = e.dirtyRateMibps() >= e.throughputMibps() ? "≥" : "too close to";
            return String.format(Locale.ROOT,
                    "dirty rate %s MiB/s %s throughput %s MiB/s for %s: pre-copy will not converge within %d ms",
                    fmt(e.dirtyRateMibps()), relation, fmt(e.throughputMibps()), rounds, plan.downtimeLimitMs());
        }
        return String.format(Locale.ROOT,
                "pre-copy predicted to end at %.1f s, past the max duration %.1f s, for %s (dirty rate %s MiB/s, "
                        + "throughput %s MiB/s, %s MiB left)", v.predictedEndMs() / 1000.0,
                plan.maxDurationMs() / 1000.0, rounds, fmt(e.dirtyRateMibps()), fmt(e.throughputMibps()),
                fmt(e.remainingMib()));
    }

    static String fmt(double mib) {
        return Math.abs(mib) < 10 ? String.format(Locale.ROOT, "%.1f", mib) : String.format(Locale.ROOT, "%.0f", mib);
    }

    // ---- validation ----

    private static void validate(MigrationObjective objective) {
        Objects.requireNonNull(objective, "objective must not be null");
        requireNonNegative("objective.max_downtime_ms", objective.getMaxDowntimeMs());
        requireNonNegative("objective.max_duration_ms", objective.getMaxDurationMs());
        requireNonNegative("objective.max_bandwidth_mibps", objective.getMaxBandwidthMibps());
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0 (0 = fabric default), got " + value);
        }
    }

    private static void requirePositive(String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
    }

    private static void requireNonNegativeFinite(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + value);
        }
    }

    /** Factories that keep the rung and parameter rules of {@link Decision} in one place. */
    private static final class Decisions {
        static Decision proceed(Rung rung, String reason, Optional<ConvergenceEstimate> e) {
            return new Decision(Decision.Action.CONTINUE, rung, reason, OptionalInt.empty(), e);
        }

        static Decision raiseThrottle(int step, String reason, Optional<ConvergenceEstimate> e) {
            return new Decision(Decision.Action.RAISE_THROTTLE, Rung.AUTO_CONVERGE, reason, OptionalInt.of(step), e);
        }

        static Decision startPostcopy(String reason, Optional<ConvergenceEstimate> e) {
            return new Decision(Decision.Action.START_POSTCOPY, Rung.POSTCOPY, reason, OptionalInt.empty(), e);
        }

        static Decision abort(String reason, Optional<ConvergenceEstimate> e) {
            return new Decision(Decision.Action.ABORT, Rung.ABORT, reason, OptionalInt.empty(), e);
        }
    }
}
