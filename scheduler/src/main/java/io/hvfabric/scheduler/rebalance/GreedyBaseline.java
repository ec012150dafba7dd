package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.MigrationSimulator;
import io.hvfabric.scheduler.drain.MoveCost;
import io.hvfabric.scheduler.drain.MoveCostModel;
import io.hvfabric.scheduler.drain.Transfer;
import io.hvfabric.scheduler.drain.VsiLoad;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The naive rebalancer the planner is benchmarked against: repeatedly move the largest VSI of the most loaded host to
 * the least loaded host that fits, as long as that lowers the imbalance. It ignores migration cost and convergence; it
 * stops at the same target imbalance and move limit as the planner, so the two are compared like for like.
 */
public final class GreedyBaseline {

    private final PlacementPipeline pipeline;
    private final OvercommitRatios ratios;
    private final MoveCostModel costModel;

    public GreedyBaseline(PlacementPipeline pipeline, OvercommitRatios ratios, MoveCostModel costModel) {
        this.pipeline = pipeline;
        this.ratios = ratios;
        this.costModel = costModel;
    }

    public RebalancePlan plan(ClusterSnapshot cluster, RebalanceOptions options, MigrationBudgets budgets) {
        MigrationBudgets withNics = budgets.withNicsOf(cluster.candidates());
        LoadBook book = new LoadBook(cluster, ratios);
        double before = book.imbalance();
        List<RebalanceMove> moves = new ArrayList<>();
        String stop;
        while (true) {
            if (book.imbalance() <= options.targetImbalance()) {
                stop = String.format(Locale.ROOT, "imbalance at or below the target %.4f", options.targetImbalance());
                break;
            }
            if (moves.size() >= options.maxMoves()) {
                stop = "reached the move limit of " + options.maxMoves();
                break;
            }
            Choice choice = nextMove(book, withNics);
            if (choice == null) {
                stop = "no vsi of the most loaded host lowers the imbalance on the least loaded host that fits it";
                break;
            }
            book.apply(choice.vsi(), choice.transfer().fromHost(), choice.transfer().toHost());
            moves.add(new RebalanceMove(choice.transfer(), choice.vsi().memoryMib(), choice.vsi().dirtyRateMibps(),
                    choice.cost(), book.imbalance()));
        }
        return new RebalancePlan(before, book.imbalance(), moves, List.of(),
                RebalancePlanner.skippedHosts(cluster), stop,
                RebalancePlanner.scheduleMoves(new MigrationSimulator(costModel), moves, withNics));
    }

    private record Choice(VsiLoad vsi, Transfer transfer, MoveCost cost) {}

    private Choice nextMove(LoadBook book, MigrationBudgets budgets) {
        List<HostCandidate> byLoad = book.readyByLoadDescending();
        if (byLoad.size() < 2) {
            return null;
        }
        HostCandidate source = byLoad.get(0);
        List<VsiLoad> vsis = new ArrayList<>(book.host(source.id()).vsis());
        vsis.sort(Comparator.comparingLong(VsiLoad::memoryMib).reversed().thenComparing(VsiLoad::name));
        double current = book.squaredDeviation();
        for (VsiLoad vsi : vsis) {
            PlacementRequest request = new PlacementRequest(vsi.name(), vsi.demand(), vsi.antiAffinityGroup(), null,
                    source.accelerator(), source.cpuModel(), Set.of(source.id()), vsi.networkMtu());
            for (int i = byLoad.size() - 1; i > 0; i--) {
                HostCandidate target = byLoad.get(i);
                if (pipeline.place(request, List.of(target)).chosenHost().isEmpty()) {
                    continue;
                }
                // The least loaded host that fits: move there if it helps, else this vsi cannot help.
                if (book.squaredDeviationAfter(vsi, source, target) >= current) {
                    break;
                }
                long mbps = budgets.bandwidthFor(source.id(), target.id());
                MoveCost cost = costModel.predict(vsi.memoryMib(), vsi.dirtyRateMibps(), mbps);
                return new Choice(vsi, new Transfer(vsi.name(), source.id(), target.id(), mbps), cost);
            }
        }
        return null;
    }
}
