package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.MigrationSchedule;
import io.hvfabric.scheduler.drain.MigrationSimulator;
import io.hvfabric.scheduler.drain.MoveCost;
import io.hvfabric.scheduler.drain.MoveCostModel;
import io.hvfabric.scheduler.drain.Transfer;
import io.hvfabric.scheduler.drain.VsiLoad;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Plans a short list of live migrations that brings the {@link ImbalanceMetric imbalance} down to a target.
 *
 * <p>Best-improvement search: each step considers moving any VSI of the most loaded hosts above the mean to any of the
 * least loaded hosts below it that the placement pipeline accepts (capacity after overcommit, anti-affinity, state and
 * cordons, accelerator and CPU model of the source). A move's benefit is how much it lowers the sum of squared load
 * deviations; its cost is the predicted migration time (pre-copy plus downtime) plus a fixed per-move overhead. The
 * step applies the move with the best benefit ÷ cost, and the next step sees its effect. Moves predicted not to
 * converge are vetoed and reported. The search stops when the imbalance reaches the target, when no move improves it
 * by the hysteresis margin, or at the move limit.
 *
 * <p>Against flapping: a VSI moves at most once per plan, VSIs in {@link Cooldown} are not candidates, and the margin
 * ignores moves that barely help. Since the search is deterministic, applying a plan and planning again (with the moved
 * VSIs in cooldown) proposes nothing, unless the plan was cut short by the move limit.
 *
 * <p>Only READY hosts take part. DOWN hosts are named in the plan as skipped; cordoned, draining and other hosts are
 * named too and neither give nor take VSIs (a drain owns them).
 */
public final class RebalancePlanner {

    private final PlacementPipeline pipeline;
    private final OvercommitRatios ratios;
    private final MoveCostModel costModel;
    private final MigrationSimulator simulator;

    /** {@code ratios} must be those {@code pipeline} was built with, so the metric and the fit checks agree. */
    public RebalancePlanner(PlacementPipeline pipeline, OvercommitRatios ratios, MoveCostModel costModel) {
        if (pipeline == null || ratios == null || costModel == null) {
            throw new IllegalArgumentException("RebalancePlanner needs a placement pipeline, ratios and a cost model");
        }
        this.pipeline = pipeline;
        this.ratios = ratios;
        this.costModel = costModel;
        this.simulator = new MigrationSimulator(costModel);
    }

    public static RebalancePlanner fromConfig(PlacementConfig config, MoveCostModel costModel) {
        return new RebalancePlanner(PlacementPipeline.fromConfig(config), config.ratios(), costModel);
    }

    public RebalancePlan plan(
            ClusterSnapshot cluster, RebalanceOptions options, MigrationBudgets budgets, Cooldown cooldown) {
        MigrationBudgets withNics = budgets.withNicsOf(cluster.candidates());
        LoadBook book = new LoadBook(cluster, ratios);
        double before = book.imbalance();
        List<String> notes = skippedHosts(cluster);
        long cooling = cluster.vsiNames().stream().filter(cooldown::inCooldown).count();
        if (cooling > 0) {
            notes.add(cooling + " vsi(s) moved within the cooldown were not considered");
        }
        Set<String> moved = new HashSet<>();
        Map<String, VetoedMove> vetoed = new LinkedHashMap<>();
        Map<String, Map<Long, MoveCost>> costCache = new HashMap<>();
        List<RebalanceMove> moves = new ArrayList<>();
        String stop;
        while (true) {
            if (book.imbalance() <= options.targetImbalance()) {
                stop = String.format(Locale.ROOT, "imbalance %.4f is at or below the target %.4f",
                        book.imbalance(), options.targetImbalance());
                break;
            }
            if (moves.size() >= options.maxMoves()) {
                stop = "reached the move limit of " + options.maxMoves();
                break;
            }
            Candidate best = bestMove(book, options, withNics, cooldown, moved, vetoed, costCache);
            if (best == null) {
                stop = String.format(Locale.ROOT, "no move lowers the squared load deviation by at least %.4f",
                        options.minImprovement());
                break;
            }
            book.apply(best.vsi, best.transfer.fromHost(), best.transfer.toHost());
            moved.add(best.vsi.name());
            moves.add(new RebalanceMove(best.transfer, best.vsi.memoryMib(), best.vsi.dirtyRateMibps(), best.cost,
                    book.imbalance()));
        }
        return new RebalancePlan(before, book.imbalance(), moves, List.copyOf(vetoed.values()), notes, stop,
                schedule(moves, withNics));
    }

    private record Candidate(
            VsiLoad vsi, HostCandidate source, HostCandidate target, Transfer transfer, MoveCost cost, double ratio) {}

    private Candidate bestMove(
            LoadBook book,
            RebalanceOptions options,
            MigrationBudgets budgets,
            Cooldown cooldown,
            Set<String> moved,
            Map<String, VetoedMove> vetoed,
            Map<String, Map<Long, MoveCost>> costCache) {
        double mean = book.mean();
        List<HostCandidate> byLoad = book.readyByLoadDescending();
        List<HostCandidate> sources = new ArrayList<>();
        for (HostCandidate h : byLoad) {
            if (sources.size() == options.sourceHostsPerStep() || book.load(h.id()) <= mean) {
                break;
            }
            sources.add(h);
        }
        List<HostCandidate> targets = new ArrayList<>();
        for (int i = byLoad.size() - 1; i >= 0 && targets.size() < options.targetHostsPerStep(); i--) {
            HostCandidate h = byLoad.get(i);
            if (book.load(h.id()) >= mean) {
                break;
            }
            if (h.schedulable()) {
                targets.add(h);
            }
        }
        // Score every improving move by benefit ÷ cost first (cheap arithmetic), then ask the pipeline about the best
        // ones only, until one fits: most steps need one or two pipeline calls instead of one per VSI.
        double current = book.squaredDeviation();
        long[][] mbpsOf = new long[sources.size()][targets.size()];
        for (int si = 0; si < sources.size(); si++) {
            for (int ti = 0; ti < targets.size(); ti++) {
                mbpsOf[si][ti] = budgets.bandwidthFor(sources.get(si).id(), targets.get(ti).id());
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (int si = 0; si < sources.size(); si++) {
            HostCandidate source = sources.get(si);
            for (VsiLoad vsi : book.host(source.id()).vsis()) {
                if (moved.contains(vsi.name()) || cooldown.inCooldown(vsi.name())) {
                    continue;
                }
                for (int ti = 0; ti < targets.size(); ti++) {
                    HostCandidate target = targets.get(ti);
                    double gain = current - book.squaredDeviationAfter(vsi, source, target);
                    if (gain < options.minImprovement()) {
                        continue;
                    }
                    long mbps = mbpsOf[si][ti];
                    MoveCost cost = costCache.computeIfAbsent(vsi.name(), k -> new HashMap<>())
                            .computeIfAbsent(mbps, k -> costModel.predict(vsi.memoryMib(), vsi.dirtyRateMibps(), mbps));
                    double ratio = gain / (cost.totalSeconds() + options.moveOverheadSeconds());
                    candidates.add(new Candidate(vsi, source, target,
                            new Transfer(vsi.name(), source.id(), target.id(), mbps), cost, ratio));
                }
            }
        }
        // Veto, and report once per VSI, every feasible improving move predicted not to converge; only a few VSIs
        // are that write-heavy, so this costs few pipeline calls.
        for (Candidate c : candidates) {
            if (!c.cost.converges() && !vetoed.containsKey(c.vsi.name()) && fits(c)) {
                vetoed.put(c.vsi.name(), new VetoedMove(c.vsi.name(), c.source.id(), c.target.id(),
                        String.format(Locale.ROOT,
                                "predicted not to converge: dirty rate %.1f MiB/s at %d Mbps, downtime %.0f ms after "
                                        + "%d rounds",
                                c.vsi.dirtyRateMibps(), c.transfer.mbps(), c.cost.downtimeSeconds() * 1000,
                                c.cost.rounds())));
            }
        }
        candidates.removeIf(c -> !c.cost.converges());
        // Best first without sorting them all: the best usually fits, so this is about one scan.
        while (!candidates.isEmpty()) {
            int best = 0;
            for (int i = 1; i < candidates.size(); i++) {
                if (BETTER.compare(candidates.get(i), candidates.get(best)) < 0) {
                    best = i;
                }
            }
            Candidate c = candidates.get(best);
            if (fits(c)) {
                return c;
            }
            candidates.set(best, candidates.get(candidates.size() - 1));
            candidates.remove(candidates.size() - 1);
        }
        return null;
    }

    /** Whether the pipeline accepts the move: capacity, anti-affinity, state, accelerator and CPU model. */
    private boolean fits(Candidate c) {
        PlacementRequest request = new PlacementRequest(c.vsi.name(), c.vsi.demand(), c.vsi.antiAffinityGroup(), null,
                c.source.accelerator(), c.source.cpuModel(), Set.of(c.source.id()), c.vsi.networkMtu());
        return !pipeline.rank(request, List.of(c.target)).isEmpty();
    }

    /** Highest ratio first; ties by VSI name, then target, so the plan does not depend on iteration order. */
    private static final Comparator<Candidate> BETTER = Comparator.comparingDouble((Candidate c) -> c.ratio)
            .reversed()
            .thenComparing(c -> c.vsi.name())
            .thenComparing(c -> c.transfer.toHost());

    static List<String> skippedHosts(ClusterSnapshot cluster) {
        List<String> notes = new ArrayList<>();
        for (HostLoad h : cluster.hosts()) {
            HostState state = h.host().state();
            if (state == HostState.DOWN) {
                notes.add("host '" + h.id() + "' is DOWN: skipped");
            } else if (state != HostState.READY) {
                notes.add("host '" + h.id() + "' is " + state + ": neither gives nor takes vsis");
            }
        }
        return notes;
    }

    MigrationSchedule schedule(List<RebalanceMove> moves, MigrationBudgets budgets) {
        return scheduleMoves(simulator, moves, budgets);
    }

    static MigrationSchedule scheduleMoves(
            MigrationSimulator simulator, List<RebalanceMove> moves, MigrationBudgets budgets) {
        List<MigrationSimulator.Step> steps = new ArrayList<>();
        for (RebalanceMove m : moves) {
            steps.add(new MigrationSimulator.Step(m.transfer(), m.memoryMib(), m.dirtyRateMibps()));
        }
        return simulator.simulate(steps, budgets);
    }
}
