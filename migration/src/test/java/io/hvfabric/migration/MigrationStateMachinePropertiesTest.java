package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Migration.Phase;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MigrationStateMachinePropertiesTest {

    @Provide
    Arbitrary<Phase> phases() {
        return Arbitraries.of(Phase.values()).filter(p -> p != Phase.UNRECOGNIZED);
    }

    @Provide
    Arbitrary<List<Phase>> attempts() {
        return phases().list().ofMaxSize(20);
    }

    @Property(tries = 500)
    void attemptsEitherFollowTheTableOrAreRejected(
            @ForAll("phases") Phase start, @ForAll("attempts") List<Phase> attempts) {
        Migration m = Migration.newBuilder().setId("m").setPhase(start).build();
        Instant at = Instant.EPOCH;
        for (Phase to : attempts) {
            Phase from = m.getPhase();
            int before = m.getTransitionsCount();
            at = at.plusSeconds(1);
            try {
                m = MigrationStateMachine.transition(m, to, "try " + to, at);
                assertThat(MigrationPhases.canTransition(from, to)).as("%s -> %s accepted", from, to).isTrue();
                assertThat(MigrationPhases.isTerminal(from)).isFalse();
                assertThat(m.getPhase()).isEqualTo(to);
                assertThat(m.getTransitionsCount()).isEqualTo(before + 1);
                assertThat(m.getTransitions(before).getPhase()).isEqualTo(to);
            } catch (IllegalTransitionException e) {
                assertThat(MigrationPhases.canTransition(from, to)).as("%s -> %s rejected", from, to).isFalse();
                assertThat(e.from()).isEqualTo(from);
                assertThat(e.to()).isEqualTo(to);
            }
        }
    }

    @Property(tries = 300)
    void terminalPhaseNeverChanges(@ForAll("attempts") List<Phase> attempts) {
        Migration m = Migration.newBuilder().setId("m").setPhase(Phase.PENDING).build();
        Phase terminalSeen = null;
        for (Phase to : attempts) {
            try {
                m = MigrationStateMachine.transition(m, to, "", Instant.EPOCH);
            } catch (IllegalTransitionException ignored) {
                // rejected attempts leave m as it was
            }
            if (terminalSeen != null) {
                assertThat(m.getPhase()).isEqualTo(terminalSeen);
            } else if (MigrationPhases.isTerminal(m.getPhase())) {
                terminalSeen = m.getPhase();
            }
        }
    }

    @Property(tries = 300)
    void transitionsRecordEveryPhaseTheRecordPassedThrough(
            @ForAll("attempts") List<Phase> attempts) {
        Migration m = Migration.newBuilder().setId("m").setPhase(Phase.PHASE_UNSPECIFIED).build();
        for (Phase to : attempts) {
            try {
                m = MigrationStateMachine.transition(m, to, "", Instant.EPOCH);
            } catch (IllegalTransitionException ignored) {
                // keep going
            }
        }
        Phase previous = Phase.PHASE_UNSPECIFIED;
        for (var t : m.getTransitionsList()) {
            assertThat(MigrationPhases.canTransition(previous, t.getPhase())).isTrue();
            previous = t.getPhase();
        }
        assertThat(previous).isEqualTo(m.getPhase());
    }
}
