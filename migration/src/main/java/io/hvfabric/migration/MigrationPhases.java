package io.hvfabric.migration;

import io.hvfabric.proto.v1.Migration.Phase;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one transition table of a migration's persisted phase. Everything that moves a migration record asks this
 * class, so an illegal move cannot be written by any controller.
 */
public final class MigrationPhases {

    private static final Set<Phase> TERMINAL =
            Collections.unmodifiableSet(EnumSet.of(Phase.COMPLETED, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED));

    private static final Map<Phase, Set<Phase>> NEXT = table();

    private MigrationPhases() {}

    private static Map<Phase, Set<Phase>> table() {
        Map<Phase, Set<Phase>> t = new EnumMap<>(Phase.class);
        // A record is written for the first time as PENDING (accepting it is the only move out of "unset").
        t.put(Phase.PHASE_UNSPECIFIED, EnumSet.of(Phase.PENDING));
        // ROLLED_BACK from PENDING: a new leader undoes a reservation it inherited (see MigrationStateMachine.recoveryFor).
        t.put(Phase.PENDING, EnumSet.of(Phase.PREPARING_TARGET, Phase.CANCELLED, Phase.FAILED, Phase.ROLLED_BACK));
        t.put(Phase.PREPARING_TARGET, EnumSet.of(Phase.PRECOPY, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED));
        t.put(Phase.PRECOPY, EnumSet.of(Phase.SWITCHOVER, Phase.FAILED, Phase.ROLLED_BACK, Phase.CANCELLED));
        // The memory arrived and both copies are paused while the target is resumed; the source still owns the VSI.
        // COMPLETED (ownership moves) only once the target confirmed the guest runs there; if it cannot run it, the
        // source's paused copy is resumed instead.
        t.put(Phase.SWITCHOVER, EnumSet.of(Phase.COMPLETED, Phase.ROLLED_BACK));
        for (Phase terminal : TERMINAL) {
            t.put(terminal, EnumSet.noneOf(Phase.class));
        }
        t.replaceAll((from, to) -> Collections.unmodifiableSet(to));
        return Collections.unmodifiableMap(t);
    }

    /** COMPLETED, FAILED, ROLLED_BACK and CANCELLED: the record never changes again. */
    public static boolean isTerminal(Phase phase) {
        return phase != null && TERMINAL.contains(phase);
    }

    /** The phases {@code from} may move to; empty for terminal and unknown phases. */
    public static Set<Phase> allowedNext(Phase from) {
        if (from == null) {
            return Set.of();
        }
        return NEXT.getOrDefault(from, Set.of());
    }

    public static boolean canTransition(Phase from, Phase to) {
        return to != null && allowedNext(from).contains(to);
    }
}
