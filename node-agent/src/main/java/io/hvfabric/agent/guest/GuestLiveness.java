package io.hvfabric.agent.guest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The liveness state machine of one guest: pure, fed with ping outcomes and the instants they happened at, so a test
 * drives it with a manual clock. Each event returns whether the state changed; every move goes through the
 * {@link GuestState} transition table. Not thread-safe ({@link GuestMonitor} guards it).
 */
final class GuestLiveness {
    static final String NO_AGENT_IN_IMAGE = "image has no guest agent";

    private final GuestPolicy policy;
    private final boolean agentExpected;
    private final Instant bootStart;
    private GuestState state;
    private Instant since;
    private String message;
    private int missed;
    private Instant firstMissAt;

    private GuestLiveness(GuestPolicy policy, boolean agentExpected, GuestState state, Instant at, String message) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.agentExpected = agentExpected;
        this.bootStart = Objects.requireNonNull(at, "at");
        this.state = state;
        this.since = at;
        this.message = message;
    }

    /** QEMU started (or the guest was resumed after arriving) at {@code at}; its agent is expected to answer. */
    static GuestLiveness booting(GuestPolicy policy, Instant at, String message) {
        return new GuestLiveness(policy, true, GuestState.BOOTING, at, message);
    }

    /** No agent can answer (the image has none, or there is no channel to it); it is never asked. */
    static GuestLiveness withoutAgent(GuestPolicy policy, Instant at, String why) {
        return new GuestLiveness(policy, false, GuestState.NO_AGENT, at, why);
    }

    /** A ping was answered at {@code at}. */
    boolean answered(Instant at) {
        missed = 0;
        firstMissAt = null;
        if (state == GuestState.UP || !agentExpected) {
            return false;
        }
        move(GuestState.UP, "", at);
        return true;
    }

    /**
     * A ping went unanswered. Only counted once the agent has answered: before that, silence is what booting looks
     * like, and the boot bound decides.
     */
    boolean missed(Instant at) {
        if (state != GuestState.UP && state != GuestState.UNRESPONSIVE) {
            return false;
        }
        if (missed++ == 0) {
            firstMissAt = at;
        }
        if (state == GuestState.UP && missed >= policy.missesForUnresponsive()) {
            move(GuestState.UNRESPONSIVE, "missed " + missed + " pings since " + firstMissAt, at);
            return true;
        }
        return false;
    }

    /** Applies the boot bound: a guest whose agent stayed silent that long has none, as far as anyone can tell. */
    boolean tick(Instant now) {
        if (state == GuestState.BOOTING && !now.isBefore(bootStart.plus(policy.bootBound()))) {
            move(GuestState.NO_AGENT, "no guest agent answered within " + policy.bootBound().toSeconds() + " s", now);
            return true;
        }
        return false;
    }

    /** Whether a ping is due at {@code now}, the previous one having started at {@code lastPing} (null: none yet). */
    boolean pingDue(Instant now, Instant lastPing) {
        if (!agentExpected) {
            return false;
        }
        if (lastPing == null) {
            return true;
        }
        Duration every = state == GuestState.NO_AGENT ? policy.noAgentRetry() : policy.pingInterval();
        return !now.isBefore(lastPing.plus(every));
    }

    private void move(GuestState to, String why, Instant at) {
        if (!state.canMoveTo(to)) {
            throw new IllegalStateException("guest state cannot move " + state + " -> " + to + " (allowed: "
                    + state.allowedNext() + ")");
        }
        state = to;
        since = at;
        message = why;
    }

    boolean agentExpected() {
        return agentExpected;
    }

    GuestState state() {
        return state;
    }

    Instant since() {
        return since;
    }

    String message() {
        return message;
    }

    int missedPings() {
        return missed;
    }
}
