package io.hvfabric.scheduler.rebalance;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GreedyBaselineTest {

    private final GreedyBaseline greedy = new GreedyBaseline(PlacementPipeline.fromConfig(PlacementConfig.DEFAULT),
            PlacementConfig.DEFAULT.ratios(), new PreCopyCostModel());

    @Test
    void movesTheLargestVsiOfTheMostLoadedHostToTheLeastLoadedHost() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").capacity(16, 65_536).vsi("big", 4, 16_384).vsi("small", 1, 2_048).vsi("mid", 2, 8_192)
                        .vsi("mid2", 2, 8_192).build(),
                host("b").capacity(16, 65_536).vsi("b1", 2, 8_192).build(),
                host("c").capacity(16, 65_536).build()));

        RebalancePlan plan = greedy.plan(cluster, RebalanceOptions.DEFAULT.withTargetImbalance(0),
                MigrationBudgets.defaults());

        assertThat(plan.moves().get(0).vsiName()).isEqualTo("big");
        assertThat(plan.moves().get(0).toHost()).isEqualTo("c");
        assertThat(plan.imbalanceAfter()).isLessThan(plan.imbalanceBefore());
        for (int i = 1; i < plan.moves().size(); i++) {
            assertThat(plan.moves().get(i).imbalanceAfter()).isLessThan(plan.moves().get(i - 1).imbalanceAfter());
        }
    }

    @Test
    void stopsWhenTheLargestMoveNoLongerHelps() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").capacity(16, 65_536).vsi("only", 8, 32_768).build(),
                host("b").capacity(16, 65_536).build()));

        RebalancePlan plan = greedy.plan(cluster, RebalanceOptions.DEFAULT.withTargetImbalance(0),
                MigrationBudgets.defaults());

        // Moving the single VSI just mirrors the imbalance, so greedy does nothing.
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.stopReason()).contains("no vsi of the most loaded host");
    }
}
