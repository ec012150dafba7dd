package io.hvfabric.agent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GuestLivenessTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final GuestPolicy POLICY = GuestPolicy.DEFAULT;

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void theTransitionTableHasExactlyTheseMoves() {
        assertThat(GuestState.BOOTING.allowedNext()).isEqualTo(EnumSet.of(GuestState.UP, GuestState.NO_AGENT));
        assertThat(GuestState.UP.allowedNext()).isEqualTo(EnumSet.of(GuestState.UNRESPONSIVE));
        assertThat(GuestState.UNRESPONSIVE.allowedNext()).isEqualTo(EnumSet.of(GuestState.UP));
        assertThat(GuestState.NO_AGENT.allowedNext()).isEqualTo(EnumSet.of(GuestState.UP));
        assertThat(GuestState.UP.canMoveTo(GuestState.BOOTING)).isFalse();
        assertThat(GuestState.UNRESPONSIVE.canMoveTo(GuestState.NO_AGENT)).isFalse();
        assertThat(GuestState.UP.canMoveTo(null)).isFalse();
        for (GuestState s : GuestState.values()) {
            assertThat(s.toProto().name()).isEqualTo(s.name());
        }
    }

    @Test
    void aBootingGuestIsUpOnItsFirstAnswer() {
        GuestLiveness g = GuestLiveness.booting(POLICY, T0, "");
        assertThat(g.state()).isEqualTo(GuestState.BOOTING);
        assertThat(g.since()).isEqualTo(T0);

        assertThat(g.missed(at(1))).isFalse(); // silence while booting is not counted
        assertThat(g.missedPings()).isZero();
        assertThat(g.answered(at(4))).isTrue();

        assertThat(g.state()).isEqualTo(GuestState.UP);
        assertThat(g.since()).isEqualTo(at(4));
        assertThat(g.message()).isEmpty();
        assertThat(g.answered(at(5))).isFalse();
        assertThat(g.since()).isEqualTo(at(4));
    }

    @Test
    void aGuestSilentForTheBootBoundHasNoAgentButMayStillComeUp() {
        GuestLiveness g = GuestLiveness.booting(POLICY, T0, "");
        assertThat(g.tick(at(89))).isFalse();
        assertThat(g.tick(at(90))).isTrue();

        assertThat(g.state()).isEqualTo(GuestState.NO_AGENT);
        assertThat(g.since()).isEqualTo(at(90));
        assertThat(g.message()).isEqualTo("no guest agent answered within 90 s");
        assertThat(g.tick(at(200))).isFalse();
        // Still asked, but only every noAgentRetry.
        assertThat(g.pingDue(at(93), at(90))).isFalse();
        assertThat(g.pingDue(at(95), at(90))).isTrue();

        assertThat(g.answered(at(120))).isTrue();
        assertThat(g.state()).isEqualTo(GuestState.UP);
    }

    @Test
    void consecutiveMissedPingsMakeAnUpGuestUnresponsiveAndAnAnswerBringsItBack() {
        GuestLiveness g = GuestLiveness.booting(POLICY, T0, "");
        g.answered(at(4));

        assertThat(g.missed(at(5))).isFalse();
        assertThat(g.missed(at(6))).isFalse();
        assertThat(g.missedPings()).isEqualTo(2);
        assertThat(g.state()).isEqualTo(GuestState.UP);
        assertThat(g.missed(at(7))).isTrue();

        assertThat(g.state()).isEqualTo(GuestState.UNRESPONSIVE);
        assertThat(g.since()).isEqualTo(at(7));
        assertThat(g.message()).isEqualTo("missed 3 pings since " + at(5));
        assertThat(g.missed(at(8))).isFalse();
        assertThat(g.missedPings()).isEqualTo(4);
        assertThat(g.tick(at(500))).isFalse(); // the boot bound is over for a guest that answered

        assertThat(g.answered(at(9))).isTrue();
        assertThat(g.state()).isEqualTo(GuestState.UP);
        assertThat(g.since()).isEqualTo(at(9));
        assertThat(g.missedPings()).isZero();
        assertThat(g.message()).isEmpty();
    }

    @Test
    void anAnswerBetweenMissesResetsTheCount() {
        GuestLiveness g = GuestLiveness.booting(POLICY, T0, "");
        g.answered(at(1));
        g.missed(at(2));
        g.missed(at(3));
        g.answered(at(4));
        g.missed(at(5));
        g.missed(at(6));
        assertThat(g.state()).isEqualTo(GuestState.UP);
        assertThat(g.missed(at(7))).isTrue();
        assertThat(g.message()).isEqualTo("missed 3 pings since " + at(5));
    }

    @Test
    void anImageWithoutAgentIsNoAgentAtOnceAndNeverAsked() {
        GuestLiveness g = GuestLiveness.withoutAgent(POLICY, T0, GuestLiveness.NO_AGENT_IN_IMAGE);
        assertThat(g.state()).isEqualTo(GuestState.NO_AGENT);
        assertThat(g.message()).isEqualTo("image has no guest agent");
        assertThat(g.pingDue(at(100), null)).isFalse();
        assertThat(g.answered(at(1))).isFalse();
        assertThat(g.state()).isEqualTo(GuestState.NO_AGENT);
    }

    @Test
    void pingsAreDueEveryIntervalFromTheStartOfThePreviousOne() {
        GuestLiveness g = GuestLiveness.booting(POLICY, T0, "");
        assertThat(g.pingDue(T0, null)).isTrue();
        assertThat(g.pingDue(T0.plusMillis(900), T0)).isFalse();
        assertThat(g.pingDue(T0.plusMillis(1000), T0)).isTrue();
    }

    @Test
    void thePolicyNamesTheFieldThatBreaksItsRule() {
        assertThatThrownBy(() -> new GuestPolicy(Duration.ZERO, Duration.ofSeconds(1), 3,
                        Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofSeconds(10)))
                .hasMessage("pingInterval must be a positive duration, got PT0S");
        assertThatThrownBy(() -> new GuestPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
                        Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofSeconds(10)))
                .hasMessage("missesForUnresponsive must be at least 1, got 0");
    }
}
