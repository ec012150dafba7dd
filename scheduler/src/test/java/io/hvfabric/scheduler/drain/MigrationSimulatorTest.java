package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationSimulatorTest {

    /** Every move takes memoryMib / 1000 seconds, whatever the bandwidth: makes schedules easy to reason about. */
    private static final MoveCostModel FIXED = (mem, dirty, mbps) -> new MoveCost(true, 1, mem / 1000.0, 0, mem);

    private static final Map<String, Long> NICS = Map.of("a", 10_000L, "b", 10_000L, "c", 10_000L, "d", 10_000L);

    private static MigrationSimulator.Step step(String vsi, String from, String to, long mem) {
        return new MigrationSimulator.Step(new Transfer(vsi, from, to, 5_000), mem, 0);
    }

    @Test
    void threeMovesFromOneHostRunTwoAtATime() {
        MigrationBudgets budgets = new MigrationBudgets(2, 2, 5, 5_000, NICS);
        List<MigrationSimulator.Step> steps =
                List.of(step("v1", "a", "b", 4_000), step("v2", "a", "c", 2_000), step("v3", "a", "d", 1_000));

        MigrationSchedule s = new MigrationSimulator(FIXED).simulate(steps, budgets);

        // v1 and v2 start at 0; v3 starts when v2 ends at 2 s and ends at 3 s; v1 ends at 4 s.
        assertThat(s.etaSeconds()).isCloseTo(4.0, within(1e-9));
        assertThat(s.waves()).isEqualTo(2);
        assertThat(s.moves()).extracting(ScheduledMove::startSeconds).containsExactly(0.0, 0.0, 2.0);
        PlanInvariants.assertBudgetsRespected(s, budgets);
    }

    @Test
    void aMoveIntoAHostWaitsForEarlierMovesOutOfIt() {
        MigrationBudgets budgets = new MigrationBudgets(2, 2, 5, 5_000, NICS);
        List<MigrationSimulator.Step> steps = List.of(step("v1", "b", "c", 3_000), step("v2", "a", "b", 1_000));

        MigrationSchedule s = new MigrationSimulator(FIXED).simulate(steps, budgets);

        assertThat(s.moves().get(1).transfer().vsiName()).isEqualTo("v2");
        assertThat(s.moves().get(1).startSeconds()).isCloseTo(3.0, within(1e-9));
        assertThat(s.etaSeconds()).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void noMovesMeansNoTime() {
        MigrationSchedule s = new MigrationSimulator(FIXED).simulate(List.of(), MigrationBudgets.defaults());

        assertThat(s.etaSeconds()).isZero();
        assertThat(s.moves()).isEmpty();
    }
}
