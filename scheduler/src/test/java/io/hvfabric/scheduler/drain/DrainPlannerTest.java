package io.hvfabric.scheduler.drain;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DrainPlannerTest {

    private final DrainPlanner planner =
            new DrainPlanner(PlacementPipeline.fromConfig(PlacementConfig.DEFAULT), new PreCopyCostModel());

    private DrainPlan drain(String hostId, HostLoad... hosts) {
        return planner.plan(hostId, ClusterSnapshot.of(List.of(hosts)), MigrationBudgets.defaults());
    }

    @Test
    void ordersLargestMemoryFirstThenLowestDirtyRate() {
        DrainPlan plan = drain("a",
                host("a").capacity(16, 65_536)
                        .vsi("small", 1, 1_024, null, 0)
                        .vsi("big-busy", 2, 8_192, null, 90)
                        .vsi("big-idle", 2, 8_192, null, 1)
                        .vsi("mid", 2, 4_096, null, 0)
                        .build(),
                host("b").capacity(64, 262_144).build());

        assertThat(plan.steps()).extracting(s -> s.vsi().name())
                .containsExactly("big-idle", "big-busy", "mid", "small");
        assertThat(plan.moves()).allSatisfy(s -> assertThat(s.target()).isEqualTo("b"));
    }

    @Test
    void eachChoiceSeesThePreviousReservations() {
        // b and c each have room for exactly one 8 GiB VSI: the two must not both land on the same host.
        DrainPlan plan = drain("a",
                host("a").vsi("v1", 1, 8_192).vsi("v2", 1, 8_192).build(),
                host("b").capacity(16, 10_000).build(),
                host("c").capacity(16, 9_000).build());

        assertThat(plan.moves()).extracting(DrainStep::target).containsExactlyInAnyOrder("b", "c");
        assertThat(plan.unmovable()).isEmpty();
    }

    @Test
    void neverTargetsCordonedDrainingDownOrUnschedulableHosts() {
        DrainPlan plan = drain("a",
                host("a").vsi("v1", 1, 1_024).build(),
                host("cordoned").state(HostState.CORDONED).build(),
                host("draining").state(HostState.DRAINING).build(),
                host("down").state(HostState.DOWN).build(),
                host("off").unschedulable().build());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.unmovable()).singleElement().satisfies(s -> assertThat(s.reason())
                .contains("no host fits vsi 'v1'")
                .contains("cordoned")
                .contains("down")
                .contains("draining")
                .contains("marked unschedulable")
                .contains("excluded"));
    }

    @Test
    void respectsAntiAffinityAndExplainsWhatCannotMove() {
        DrainPlan plan = drain("a",
                host("a").vsi("db-1", 2, 4_096, "db", 0).vsi("web-1", 1, 2_048).build(),
                host("b").vsi("db-2", 2, 4_096, "db", 0).build());

        assertThat(plan.step("web-1").target()).isEqualTo("b");
        DrainStep db = plan.step("db-1");
        assertThat(db.movable()).isFalse();
        assertThat(db.reason()).contains("anti-affinity");
        assertThat(plan.render())
                .contains("drain plan for host 'a': 2 vsi(s), 1 move(s), 1 cannot move")
                .contains("web-1 (2048 MiB")
                .contains("cannot move:")
                .contains("db-1: no host fits")
                .contains("ETA ");
    }

    @Test
    void staysOnTheSourcesAccelerator() {
        DrainPlan plan = drain("a",
                host("a").accelerator("kvm").vsi("v1", 1, 1_024).build(),
                host("tcg-host").accelerator("tcg").build(),
                host("kvm-host").accelerator("kvm").capacity(4, 4_096).build());

        assertThat(plan.step("v1").target()).isEqualTo("kvm-host");
    }

    @Test
    void etaReflectsTheBudgetsAndFlagsMovesThatWillNotConverge() {
        DrainPlan plan = drain("a",
                host("a").capacity(32, 131_072)
                        .vsi("v1", 1, 8_192, null, 0)
                        .vsi("v2", 1, 8_192, null, 0)
                        .vsi("v3", 1, 8_192, null, 0)
                        .vsi("hot", 1, 1_024, null, 5_000)
                        .build(),
                host("b").capacity(64, 262_144).build(),
                host("c").capacity(64, 262_144).build());

        // Two moves of 8 GiB at 5 Gbit/s run at once (out budget 2), then the third and the small one.
        double one = new PreCopyCostModel().predict(8_192, 0, 5_000).totalSeconds();
        assertThat(plan.etaSeconds()).isGreaterThanOrEqualTo(2 * one);
        assertThat(plan.schedule().waves()).isGreaterThanOrEqualTo(2);
        PlanInvariants.assertBudgetsRespected(plan.schedule(), plan.budgets());
        assertThat(plan.step("hot").cost().converges()).isFalse();
        assertThat(plan.render()).contains("WARNING: predicted not to converge");
    }

    @Test
    void replanFindsAnotherTargetAndKeepsPendingReservations() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").vsi("v1", 1, 8_192).vsi("v2", 1, 4_096).build(),
                host("b").capacity(16, 12_288).build(),
                host("c").capacity(16, 9_000).build(),
                host("d").capacity(16, 9_000).build()));
        DrainPlan plan = planner.plan("a", cluster, MigrationBudgets.defaults());
        DrainStep v1 = plan.step("v1");

        DrainPlan again = planner.replan(plan, "v1", cluster);

        DrainStep moved = again.step("v1");
        assertThat(moved.target()).isNotEqualTo(v1.target()).isNotEqualTo("a");
        // v2's pending reservation stays where it was planned and is counted.
        assertThat(again.step("v2").target()).isEqualTo(plan.step("v2").target());
        ClusterSnapshot applied = cluster.withMove("v2", again.step("v2").target()).withMove("v1", moved.target());
        PlanInvariants.assertWithinCapacity(cluster, applied, PlacementConfig.DEFAULT.ratios());
    }

    @Test
    void replanSaysWhyWhenNoOtherHostFits() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(host("a").vsi("v1", 1, 8_192).build(), host("b").build()));
        DrainPlan plan = planner.plan("a", cluster, MigrationBudgets.defaults());

        DrainPlan again = planner.replan(plan, "v1", cluster);

        assertThat(again.step("v1").movable()).isFalse();
        assertThat(again.step("v1").reason()).contains("excluded");
    }

    @Test
    void replanOnlyAppliesToVsisStillOnTheDrainedHost() {
        ClusterSnapshot cluster = ClusterSnapshot.of(
                List.of(host("a").vsi("v1", 1, 1_024).vsi("v2", 1, 1_024).build(), host("b").build(), host("c").build()));
        DrainPlan plan = planner.plan("a", cluster, MigrationBudgets.defaults());
        String v1Target = plan.step("v1").target();
        ClusterSnapshot afterV1 = cluster.withMove("v1", v1Target);

        assertThatThrownBy(() -> planner.replan(plan, "v1", afterV1))
                .hasMessageContaining("runs on host '" + v1Target + "'");
        assertThatThrownBy(() -> planner.replan(plan, "nope", cluster)).hasMessageContaining("no vsi 'nope'");
        DrainPlan rest = planner.replan(plan, "v2", afterV1);
        assertThat(rest.schedule().moves()).extracting(m -> m.transfer().vsiName()).containsExactly("v2");
        assertThat(rest.step("v2").target()).isNotEqualTo(plan.step("v2").target());
    }

    @Test
    void unknownHostIsAnError() {
        assertThatThrownBy(() -> drain("zz", host("a").build())).hasMessageContaining("no host 'zz'");
    }
}
