package io.hvfabric.scheduler.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.PlanInvariants;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.drain.SimulatedClusters;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Rebalance plans over random simulated clusters of 10–200 hosts. Time is bounded by the tries, the cluster size and
 * the move limit of each plan.
 */
class RebalancePropertiesTest {

    private static final OvercommitRatios RATIOS = PlacementConfig.DEFAULT.ratios();
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final RebalancePlanner planner = RebalancePlanner.fromConfig(PlacementConfig.DEFAULT, new PreCopyCostModel());

    @Property(tries = 40)
    void plansAreFeasibleImproveBalanceAndDoNotFlap(
            @ForAll long seed,
            @ForAll @IntRange(min = 10, max = 200) int hostCount,
            @ForAll @IntRange(min = 0, max = 3) int targetStep,
            @ForAll @IntRange(min = 1, max = 3) int outgoing) {
        ClusterSnapshot cluster = SimulatedClusters.generate(
                seed, new SimulatedClusters.Spec(hostCount, 0.3, 0.1, RATIOS));
        RebalanceOptions options = RebalanceOptions.DEFAULT.withTargetImbalance(0.02 * targetStep);
        MigrationBudgets budgets = new MigrationBudgets(outgoing, 2, 5, 5_000, null);

        RebalancePlan plan = planner.plan(cluster, options, budgets, Cooldown.NONE);

        assertThat(plan.imbalanceAfter()).isLessThanOrEqualTo(plan.imbalanceBefore());
        assertThat(plan.stopReason()).doesNotContain("move limit");
        ClusterSnapshot after = cluster;
        Set<String> movedOnce = new HashSet<>();
        Map<String, Instant> lastMoved = new HashMap<>();
        for (RebalanceMove m : plan.moves()) {
            HostCandidate target = after.requireHost(m.toHost()).host();
            assertThat(target.state()).isEqualTo(HostState.READY);
            assertThat(target.schedulable()).isTrue();
            assertThat(after.hostOf(m.vsiName())).contains(m.fromHost());
            assertThat(m.cost().converges()).isTrue();
            assertThat(movedOnce.add(m.vsiName())).as("%s moved twice", m.vsiName()).isTrue();
            after = after.withMove(m.vsiName(), m.toHost());
            lastMoved.put(m.vsiName(), NOW);
        }
        PlanInvariants.assertWithinCapacity(cluster, after, RATIOS);
        PlanInvariants.assertAntiAffinity(after);
        PlanInvariants.assertBudgetsRespected(plan.schedule(), budgets.withNicsOf(cluster.candidates()));
        assertThat(ImbalanceMetric.imbalance(after, RATIOS)).isCloseTo(plan.imbalanceAfter(),
                org.assertj.core.api.Assertions.within(1e-9));
        cluster.hosts().stream()
                .filter(h -> h.host().state() == HostState.DOWN)
                .forEach(h -> assertThat(plan.notes()).contains("host '" + h.id() + "' is DOWN: skipped"));

        // No flapping: planning again right after, with the moved VSIs in cooldown, proposes nothing.
        RebalancePlan again = planner.plan(after, options, budgets,
                new Cooldown(Duration.ofMinutes(30), NOW.plusSeconds(60), lastMoved));
        assertThat(again.moves()).as(again.render()).isEmpty();
    }
}
