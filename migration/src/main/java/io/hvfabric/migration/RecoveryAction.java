package io.hvfabric.migration;

import io.hvfabric.proto.v1.Migration.Phase;
import java.util.Optional;

/** What a newly elected leader does with a migration record it inherits. */
public enum RecoveryAction {
    /** Nothing moved yet: destroy the target's incoming QEMU (if any), release the reservation, end ROLLED_BACK. */
    ROLL_BACK(Phase.ROLLED_BACK),
    /** Ownership already moved in etcd: make sure the target runs the VSI and the source copy is gone, end COMPLETED. */
    COMPLETE(Phase.COMPLETED),
    /** The record is terminal: nothing to do. */
    NONE(null);

    private final Phase resultingPhase;

    RecoveryAction(Phase resultingPhase) {
        this.resultingPhase = resultingPhase;
    }

    /** The phase to write once the action is done; empty for {@link #NONE}. */
    public Optional<Phase> resultingPhase() {
        return Optional.ofNullable(resultingPhase);
    }
}
