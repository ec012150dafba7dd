package io.hvfabric.migration;

import io.hvfabric.proto.v1.Migration.Phase;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** What a newly elected leader does with a migration record it inherits. */
public enum RecoveryAction {
    /** Nothing moved yet: destroy the target's incoming QEMU (if any), release the reservation, end ROLLED_BACK. */
    ROLL_BACK(EnumSet.of(Phase.ROLLED_BACK)),
    /**
     * The memory arrived and the target may already run the guest: resume it there (idempotent). If the target
     * confirms the guest runs, move ownership and end COMPLETED; otherwise destroy the target's copy, resume the
     * source's and end ROLLED_BACK.
     */
    CONFIRM_TARGET(EnumSet.of(Phase.COMPLETED, Phase.ROLLED_BACK)),
    /** The record is terminal: nothing to do. */
    NONE(EnumSet.noneOf(Phase.class));

    private final Set<Phase> outcomes;

    RecoveryAction(Set<Phase> outcomes) {
        this.outcomes = Collections.unmodifiableSet(outcomes);
    }

    /** The phases the action may end the record in; empty for {@link #NONE}. */
    public Set<Phase> outcomes() {
        return outcomes;
    }
}
