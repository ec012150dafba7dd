package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Migration.Phase;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationStateMachineTest {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

    private static Migration record(Phase phase) {
        return Migration.newBuilder().setId("m-1").setName("vsi-a").setFrom("h1").setTo("h2").setPhase(phase).build();
    }

    @Test
    void transitionSetsPhaseAndAppendsTimestampedTransition() {
        Migration pending = MigrationStateMachine.transition(record(Phase.PHASE_UNSPECIFIED), Phase.PENDING,
                "accepted", T0);
        Migration preparing = MigrationStateMachine.transition(pending, Phase.PREPARING_TARGET, "target h2 starting",
                T0.plusMillis(250));

        assertThat(preparing.getPhase()).isEqualTo(Phase.PREPARING_TARGET);
        assertThat(preparing.getTransitionsList()).hasSize(2);
        var last = preparing.getTransitions(1);
        assertThat(last.getPhase()).isEqualTo(Phase.PREPARING_TARGET);
        assertThat(last.getNote()).isEqualTo("target h2 starting");
        assertThat(last.getAt().getSeconds()).isEqualTo(T0.getEpochSecond());
        assertThat(last.getAt().getNanos()).isEqualTo(T0.plusMillis(250).getNano());
        assertThat(preparing.getTransitions(0).getPhase()).isEqualTo(Phase.PENDING);
        // everything else is carried over untouched
        assertThat(preparing.getName()).isEqualTo("vsi-a");
        assertThat(preparing.getTo()).isEqualTo("h2");
    }

    @Test
    void transitionLeavesTheInputRecordUnchanged() {
        Migration precopy = record(Phase.PRECOPY);
        MigrationStateMachine.transition(precopy, Phase.SWITCHOVER, "", T0);
        assertThat(precopy.getPhase()).isEqualTo(Phase.PRECOPY);
        assertThat(precopy.getTransitionsCount()).isZero();
    }

    @Test
    void nullNoteIsStoredEmpty() {
        Migration m = MigrationStateMachine.transition(record(Phase.PRECOPY), Phase.CANCELLED, null, T0);
        assertThat(m.getTransitions(0).getNote()).isEmpty();
    }

    @Test
    void illegalTransitionNamesMigrationFromAndTo() {
        assertThatThrownBy(() -> MigrationStateMachine.transition(record(Phase.SWITCHOVER), Phase.CANCELLED, "x", T0))
                .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                    assertThat(e.from()).isEqualTo(Phase.SWITCHOVER);
                    assertThat(e.to()).isEqualTo(Phase.CANCELLED);
                    assertThat(e.migrationId()).isEqualTo("m-1");
                    assertThat(e.getMessage()).contains("m-1", "SWITCHOVER -> CANCELLED", "[COMPLETED, ROLLED_BACK]");
                });
    }

    @Test
    void terminalRecordRejectsEveryMove() {
        for (Phase to : Phase.values()) {
            if (to == Phase.UNRECOGNIZED) {
                continue;
            }
            assertThatThrownBy(() -> MigrationStateMachine.transition(record(Phase.COMPLETED), to, "", T0))
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessageContaining("terminal");
        }
    }

    @Test
    void recoveryRollsBackBeforeSwitchoverAndAsksTheTargetInIt() {
        assertThat(MigrationStateMachine.recoveryFor(Phase.PENDING)).isEqualTo(RecoveryAction.ROLL_BACK);
        assertThat(MigrationStateMachine.recoveryFor(Phase.PREPARING_TARGET)).isEqualTo(RecoveryAction.ROLL_BACK);
        assertThat(MigrationStateMachine.recoveryFor(Phase.PRECOPY)).isEqualTo(RecoveryAction.ROLL_BACK);
        assertThat(MigrationStateMachine.recoveryFor(Phase.SWITCHOVER)).isEqualTo(RecoveryAction.CONFIRM_TARGET);
        assertThat(RecoveryAction.CONFIRM_TARGET.outcomes()).containsExactlyInAnyOrder(Phase.COMPLETED,
                Phase.ROLLED_BACK);
        assertThat(MigrationStateMachine.recoveryFor(Phase.FAILED)).isEqualTo(RecoveryAction.NONE);
    }

    @Test
    void everyRecoveryIsALegalMoveInTheTable() {
        for (Phase p : Phase.values()) {
            if (p == Phase.UNRECOGNIZED || p == Phase.PHASE_UNSPECIFIED) {
                continue;
            }
            RecoveryAction action = MigrationStateMachine.recoveryFor(p);
            assertThat(action == RecoveryAction.NONE).as("NONE iff terminal: %s", p).isEqualTo(MigrationPhases.isTerminal(p));
            assertThat(action.outcomes().isEmpty()).as("no outcome iff NONE: %s", p).isEqualTo(action == RecoveryAction.NONE);
            for (Phase to : action.outcomes()) {
                Migration recovered = MigrationStateMachine.transition(record(p), to, "leader failover", T0);
                assertThat(MigrationPhases.isTerminal(recovered.getPhase())).isTrue();
            }
        }
    }

    @Test
    void recoveryOfAnUnsetPhaseIsAnError() {
        assertThatThrownBy(() -> MigrationStateMachine.recoveryFor(Phase.PHASE_UNSPECIFIED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PHASE_UNSPECIFIED");
    }
}
