package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.DrainPlan;
import io.hvfabric.scheduler.drain.DrainPlanner;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.MoveCostModel;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.drain.SimulatedClusters;
import io.hvfabric.scheduler.drain.VsiLoad;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Rebalancer vs the greedy baseline on simulated clusters, and drain ETA vs the bandwidth lower bound and a naive
 * one-at-a-time drain. Everything is simulated with the cost model: no migration runs. Prints markdown; with a path
 * argument, also writes it there. Run by bench/rebalance/run.sh.
 */
public final class RebalanceBenchmark {

    private static final PlacementConfig CONFIG = PlacementConfig.DEFAULT;
    private static final MoveCostModel COST = new PreCopyCostModel();
    private static final double TARGET = 0.05;
    private static final int MAX_MOVES = 5_000;

    public static void main(String[] args) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("## Rebalancer vs greedy baseline (simulated clusters)\n\n");
        out.append(String.format(Locale.ROOT, "Target imbalance %.2f (std. dev. of normalized host load), hysteresis "
                + "%.3f, move limit %d, per-move overhead 60 s unless noted, defaults otherwise (budgets 2 out / 2 in per host, 5 cluster-wide, 5 Gbit/s per migration, "
                + "10 Gbit/s NICs). Skewed start: 30%% of hosts filled to 70–95%%, the rest to 5–35%%; 2%% of hosts not "
                + "READY. Planning time: best of 3 runs after one warm-up, one thread.%n%n",
                TARGET, RebalanceOptions.DEFAULT.minImprovement(), MAX_MOVES));
        out.append("| hosts | VSIs | planner | imbalance before | after | moves | of which not converging | "
                + "GiB migrated | vetoed | simulated ETA (s) | planning (ms) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int[] c : new int[][] {{100, 42}, {1000, 4242}}) {
            ClusterSnapshot cluster = SimulatedClusters.generate(
                    c[1], new SimulatedClusters.Spec(c[0], 0.3, 0.02, CONFIG.ratios()));
            RebalanceOptions options = RebalanceOptions.DEFAULT.withTargetImbalance(TARGET).withMaxMoves(MAX_MOVES);
            RebalanceOptions lightOverhead = options.withMoveOverheadSeconds(10.0);
            RebalancePlanner planner = RebalancePlanner.fromConfig(CONFIG, COST);
            GreedyBaseline greedy =
                    new GreedyBaseline(PlacementPipeline.fromConfig(CONFIG), CONFIG.ratios(), COST);
            row(out, cluster, "best benefit/cost", () ->
                    planner.plan(cluster, options, MigrationBudgets.defaults(), Cooldown.NONE));
            row(out, cluster, "best benefit/cost, 10 s per-move overhead", () ->
                    planner.plan(cluster, lightOverhead, MigrationBudgets.defaults(), Cooldown.NONE));
            row(out, cluster, "greedy baseline", () -> greedy.plan(cluster, options, MigrationBudgets.defaults()));
        }
        out.append("\n## Drain ETA (simulated with the pre-copy cost model)\n\n");
        out.append("Drained host: 10 Gbit/s NIC; its VSIs 2–16 GiB, dirty rates 5–120 MiB/s (fixed seed); targets: a "
                + "100-host simulated cluster. Lower bound = total RAM ÷ 10 Gbit/s (no dirty pages, NIC saturated). "
                + "Naive = one migration at a time at the full 10 Gbit/s link. Planner = the drain plan's waves under "
                + "the default budgets (2 outgoing at 5 Gbit/s each). Last column: the same plan with the per-migration cap raised "
                + "to the full 10 Gbit/s (the NIC budget then admits one outgoing migration at a time).\n\n");
        out.append("| VSIs | RAM (GiB) | lower bound (s) | naive one-at-a-time (s) | planner ETA (s) | waves | "
                + "planner ÷ bound | planner, 10 Gbit/s cap (s) |\n|---|---|---|---|---|---|---|---|\n");
        for (int n : new int[] {3, 6, 10}) {
            drainRow(out, n);
        }
        String text = out.toString();
        System.out.print(text);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), text);
        }
    }

    private static void row(StringBuilder out, ClusterSnapshot cluster, String name, Supplier<RebalancePlan> run) {
        run.get(); // warm-up
        RebalancePlan plan = null;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            plan = run.get();
            best = Math.min(best, System.nanoTime() - t0);
        }
        long stuck = plan.moves().stream().filter(m -> !m.cost().converges()).count();
        out.append(String.format(Locale.ROOT, "| %d | %d | %s | %.4f | %.4f | %d | %d | %.1f | %d | %.0f | %.0f |%n",
                cluster.hosts().size(), cluster.vsiNames().size(), name, plan.imbalanceBefore(), plan.imbalanceAfter(),
                plan.moves().size(), stuck, plan.migratedGib(), plan.vetoed().size(), plan.schedule().etaSeconds(),
                best / 1e6));
    }

    private static void drainRow(StringBuilder out, int vsiCount) {
        Random random = new Random(1000 + vsiCount);
        long[] sizes = {2_048, 4_096, 8_192, 16_384};
        List<VsiLoad> vsis = new ArrayList<>();
        Capacity allocated = Capacity.ZERO;
        for (int i = 0; i < vsiCount; i++) {
            Capacity demand = Capacity.of(2, sizes[random.nextInt(sizes.length)], 20, 100);
            vsis.add(new VsiLoad("drain-vsi-" + i, demand, null, 5 + 115 * random.nextDouble()));
            allocated = allocated.plus(demand);
        }
        HostCandidate drained = new HostCandidate("drained", HostState.DRAINING, false, "kvm", "host-model",
                Capacity.of(64, 262_144, 4_096, 10_000), allocated, Set.of(), Map.of());
        List<HostLoad> hosts = new ArrayList<>(SimulatedClusters.generate(
                7, new SimulatedClusters.Spec(100, 0.2, 0.0, CONFIG.ratios())).hosts());
        hosts.add(new HostLoad(drained, vsis));
        ClusterSnapshot cluster = ClusterSnapshot.of(hosts);

        DrainPlanner planner = new DrainPlanner(PlacementPipeline.fromConfig(CONFIG), COST);
        DrainPlan plan = planner.plan("drained", cluster, MigrationBudgets.defaults());
        MigrationBudgets fullLink = new MigrationBudgets(MigrationBudgets.DEFAULT_OUTGOING_PER_HOST,
                MigrationBudgets.DEFAULT_INCOMING_PER_HOST, MigrationBudgets.DEFAULT_CLUSTER_WIDE, 10_000, null);
        DrainPlan fullLinkPlan = planner.plan("drained", cluster, fullLink);
        long totalMib = vsis.stream().mapToLong(VsiLoad::memoryMib).sum();
        double bound = totalMib / PreCopyCostModel.mibPerSecond(10_000);
        double naive = 0;
        for (VsiLoad v : vsis) {
            naive += COST.predict(v.memoryMib(), v.dirtyRateMibps(), 10_000).totalSeconds();
        }
        if (!plan.unmovable().isEmpty()) {
            throw new IllegalStateException("benchmark drain left vsis behind:\n" + plan.render());
        }
        out.append(String.format(Locale.ROOT, "| %d | %.0f | %.1f | %.1f | %.1f | %d | %.2f | %.1f |%n",
                vsiCount, totalMib / 1024.0, bound, naive, plan.etaSeconds(), plan.schedule().waves(),
                plan.etaSeconds() / bound, fullLinkPlan.etaSeconds()));
    }
}
