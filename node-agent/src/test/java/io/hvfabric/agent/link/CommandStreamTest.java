package io.hvfabric.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.DesiredState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandStreamTest {
    private final List<DesiredState> applied = new ArrayList<>();
    private final TermGuard terms = new TermGuard();
    private final CommandStream stream = new CommandStream(null, "host-1", terms, applied::add);

    private static AgentCommand desired(long term, long revision) {
        return AgentCommand.newBuilder()
                .setTerm(term)
                .setLeader("sched-" + term)
                .setDesired(DesiredState.newBuilder().setRevision(revision))
                .build();
    }

    @Test
    void appliesCommandsOfTheCurrentAndNewerTerms() {
        assertThat(stream.accept(desired(5, 10))).isTrue();
        assertThat(stream.accept(desired(5, 11))).isTrue();
        assertThat(stream.accept(desired(9, 12))).isTrue();
        assertThat(applied).extracting(DesiredState::getRevision).containsExactly(10L, 11L, 12L);
        assertThat(terms.highest()).isEqualTo(9);
    }

    @Test
    void rejectsACommandFromADeposedLeader() {
        stream.accept(desired(9, 12));
        assertThat(stream.accept(desired(5, 13))).isFalse();
        assertThat(applied).extracting(DesiredState::getRevision).containsExactly(12L);
        assertThat(stream.rejected()).isEqualTo(1);
    }

    @Test
    void aTermLearnedFromAHeartbeatAlsoFencesCommands() {
        terms.admit(20); // e.g. a heartbeat answer carried the new leader's term
        assertThat(stream.accept(desired(19, 1))).isFalse();
        assertThat(applied).isEmpty();
    }
}
