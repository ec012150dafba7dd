package io.hvfabric.scheduler.rebalance;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.PlanInvariants;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RebalancePlannerTest {

    private final RebalancePlanner planner = RebalancePlanner.fromConfig(PlacementConfig.DEFAULT, new PreCopyCostModel());

    private RebalancePlan plan(RebalanceOptions options, Cooldown cooldown, HostLoad... hosts) {
        return planner.plan(ClusterSnapshot.of(List.of(hosts)), options, MigrationBudgets.defaults(), cooldown);
    }

    private static HostLoad loaded(String id) {
        return host(id).capacity(16, 65_536)
                .vsi(id + "-v1", 4, 16_384)
                .vsi(id + "-v2", 4, 16_384)
                .vsi(id + "-v3", 2, 8_192)
                .vsi(id + "-v4", 2, 8_192)
                .build();
    }

    @Test
    void movesLoadFromTheBusyHostToTheIdleOneAndReportsBothImbalances() {
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT, Cooldown.NONE,
                loaded("a"), host("b").capacity(16, 65_536).build());

        assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.fromHost()).isEqualTo("a");
            assertThat(m.toHost()).isEqualTo("b");
        });
        assertThat(plan.imbalanceAfter()).isLessThan(plan.imbalanceBefore());
        // 48 GiB on a: moving 24 GiB balances exactly, which two 8 GiB + one 16 GiB or a 16 + 8 achieve.
        assertThat(plan.migratedGib()).isEqualTo(24.0);
        assertThat(plan.imbalanceAfter()).isLessThanOrEqualTo(RebalanceOptions.DEFAULT.targetImbalance());
        assertThat(plan.render()).contains("rebalance plan: imbalance").contains("a -> b").contains("ETA");
    }

    @Test
    void stopsAtTheTargetImbalance() {
        RebalancePlan loose = plan(RebalanceOptions.DEFAULT.withTargetImbalance(0.5), Cooldown.NONE,
                loaded("a"), host("b").capacity(16, 65_536).build());

        assertThat(loose.moves()).isEmpty();
        assertThat(loose.stopReason()).contains("at or below the target");
    }

    @Test
    void hysteresisIgnoresMovesThatBarelyHelp() {
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT.withTargetImbalance(0).withMinImprovement(10), Cooldown.NONE,
                loaded("a"), host("b").capacity(16, 65_536).build());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.stopReason()).contains("no move lowers");
    }

    @Test
    void vsisInCooldownAreNotMoved() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, Instant> recent = Map.of(
                "a-v1", now.minusSeconds(60), "a-v2", now.minusSeconds(60),
                "a-v3", now.minusSeconds(60), "a-v4", now.minus(Duration.ofHours(2)));
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT, new Cooldown(Duration.ofMinutes(30), now, recent),
                loaded("a"), host("b").capacity(16, 65_536).build());

        assertThat(plan.moves()).extracting(RebalanceMove::vsiName).containsExactly("a-v4");
        assertThat(plan.notes()).contains("3 vsi(s) moved within the cooldown were not considered");
    }

    @Test
    void movesPredictedNotToConvergeAreVetoedWithTheReason() {
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT, Cooldown.NONE,
                host("a").capacity(16, 65_536).vsi("hot", 8, 32_768, null, 5_000).vsi("calm", 4, 8_192, null, 1)
                        .build(),
                host("b").capacity(16, 65_536).build());

        assertThat(plan.moves()).extracting(RebalanceMove::vsiName).containsExactly("calm");
        assertThat(plan.vetoed()).singleElement().satisfies(v -> {
            assertThat(v.vsiName()).isEqualTo("hot");
            assertThat(v.reason()).contains("predicted not to converge");
        });
    }

    @Test
    void downHostsAreNamedAndNeverTargetsAndOtherStatesStayOut() {
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT, Cooldown.NONE,
                loaded("a"),
                host("host-3").state(HostState.DOWN).capacity(64, 262_144).build(),
                host("c").state(HostState.CORDONED).capacity(64, 262_144).build(),
                host("e").capacity(16, 65_536).build());

        assertThat(plan.notes()).contains("host 'host-3' is DOWN: skipped")
                .contains("host 'c' is CORDONED: neither gives nor takes vsis");
        assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> assertThat(m.toHost()).isEqualTo("e"));
    }

    @Test
    void respectsAntiAffinity() {
        RebalancePlan plan = plan(RebalanceOptions.DEFAULT, Cooldown.NONE,
                host("a").capacity(16, 65_536).vsi("db-1", 8, 32_768, "db", 0).vsi("db-2", 8, 16_384, "db2", 0)
                        .build(),
                host("b").capacity(16, 65_536).vsi("db-3", 1, 1_024, "db", 0).vsi("db-4", 1, 1_024, "db2", 0)
                        .build());

        assertThat(plan.moves()).isEmpty();
    }

    @Test
    void scheduleRespectsTheBudgets() {
        MigrationBudgets tight = new MigrationBudgets(1, 1, 2, 5_000,
                Map.of("a", 10_000L, "b", 10_000L, "c", 10_000L, "x", 10_000L, "y", 10_000L));
        RebalancePlan plan = planner.plan(ClusterSnapshot.of(List.of(loaded("a"), loaded("b"), loaded("c"),
                        host("x").capacity(16, 65_536).build(), host("y").capacity(16, 65_536).build())),
                RebalanceOptions.DEFAULT, tight, Cooldown.NONE);

        assertThat(plan.moves()).hasSizeGreaterThan(2);
        PlanInvariants.assertBudgetsRespected(plan.schedule(), tight);
        assertThat(plan.schedule().waves()).isGreaterThan(1);
    }

    @Test
    void optionsRejectBadValuesNamingTheField() {
        assertThatThrownBy(() -> RebalanceOptions.DEFAULT.withTargetImbalance(-1)).hasMessageContaining("targetImbalance");
        assertThatThrownBy(() -> RebalanceOptions.DEFAULT.withMinImprovement(0)).hasMessageContaining("minImprovement");
        assertThatThrownBy(() -> RebalanceOptions.DEFAULT.withMaxMoves(-1)).hasMessageContaining("maxMoves");
        assertThatThrownBy(() -> new Cooldown(Duration.ofSeconds(-1), Instant.EPOCH, Map.of()))
                .hasMessageContaining("Cooldown.window");
    }
}
