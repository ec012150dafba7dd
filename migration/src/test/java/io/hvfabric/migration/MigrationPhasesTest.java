package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Migration.Phase;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationPhasesTest {

    @Test
    void terminalPhasesAreExactlyTheFourEndStates() {
        EnumSet<Phase> terminal = EnumSet.noneOf(Phase.class);
        for (Phase p : Phase.values()) {
            if (MigrationPhases.isTerminal(p)) {
                terminal.add(p);
            }
        }
        assertThat(terminal).containsExactlyInAnyOrder(Phase.COMPLETED, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED);
        assertThat(MigrationPhases.isTerminal(null)).isFalse();
    }

    @Test
    void tableHasTheDocumentedEdges() {
        assertThat(MigrationPhases.allowedNext(Phase.PHASE_UNSPECIFIED)).containsExactly(Phase.PENDING);
        assertThat(MigrationPhases.allowedNext(Phase.PENDING)).containsExactlyInAnyOrder(
                Phase.PREPARING_TARGET, Phase.CANCELLED, Phase.FAILED, Phase.ROLLED_BACK);
        assertThat(MigrationPhases.allowedNext(Phase.PREPARING_TARGET)).containsExactlyInAnyOrder(
                Phase.PRECOPY, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED);
        assertThat(MigrationPhases.allowedNext(Phase.PRECOPY)).containsExactlyInAnyOrder(
                Phase.SWITCHOVER, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED);
        assertThat(MigrationPhases.allowedNext(Phase.SWITCHOVER)).containsExactlyInAnyOrder(
                Phase.COMPLETED, Phase.ROLLED_BACK);
    }

    @Test
    void terminalAndUnknownPhasesGoNowhere() {
        for (Phase p : EnumSet.of(Phase.COMPLETED, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED, Phase.UNRECOGNIZED)) {
            assertThat(MigrationPhases.allowedNext(p)).as("from %s", p).isEmpty();
        }
        assertThat(MigrationPhases.allowedNext(null)).isEmpty();
    }

    @Test
    void noPhaseMovesToItselfOrBackToUnset() {
        for (Phase p : Phase.values()) {
            assertThat(MigrationPhases.canTransition(p, p)).as("%s -> itself", p).isFalse();
            assertThat(MigrationPhases.canTransition(p, Phase.PHASE_UNSPECIFIED)).isFalse();
            assertThat(MigrationPhases.canTransition(p, null)).isFalse();
        }
    }

    @Test
    void aSwitchoverEndsOnlyOnTheTargetsWordNeverByCancelOrFailure() {
        // COMPLETED when the target confirms the guest runs there, ROLLED_BACK (source resumed) when it cannot.
        assertThat(MigrationPhases.canTransition(Phase.SWITCHOVER, Phase.COMPLETED)).isTrue();
        assertThat(MigrationPhases.canTransition(Phase.SWITCHOVER, Phase.ROLLED_BACK)).isTrue();
        assertThat(MigrationPhases.canTransition(Phase.SWITCHOVER, Phase.FAILED)).isFalse();
        assertThat(MigrationPhases.canTransition(Phase.SWITCHOVER, Phase.CANCELLED)).isFalse();
    }
}
