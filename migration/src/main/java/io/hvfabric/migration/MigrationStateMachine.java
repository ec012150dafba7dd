package io.hvfabric.migration;

import com.google.protobuf.Timestamp;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Migration.Phase;
import io.hvfabric.proto.v1.PhaseTransition;
import java.time.Instant;
import java.util.Objects;

/**
 * Pure moves of a migration record. The caller persists the returned record with a compare-and-swap on the revision
 * it read, so two writers cannot both move the same record.
 */
public final class MigrationStateMachine {

    private MigrationStateMachine() {}

    /**
     * The record moved to {@code to}: phase set and a {@link PhaseTransition} appended.
     *
     * @throws IllegalTransitionException if the table has no edge {@code current.phase -> to}
     */
    public static Migration transition(Migration current, Phase to, String note, Instant at) {
        Objects.requireNonNull(current, "current migration must not be null");
        Objects.requireNonNull(to, "target phase 'to' must not be null");
        Objects.requireNonNull(at, "transition time 'at' must not be null");
        Phase from = current.getPhase();
        if (!MigrationPhases.canTransition(from, to)) {
            throw new IllegalTransitionException(current.getId(), from, to);
        }
        return current.toBuilder()
                .setPhase(to)
                .addTransitions(PhaseTransition.newBuilder()
                        .setPhase(to)
                        .setAt(timestamp(at))
                        .setNote(note == null ? "" : note))
                .build();
    }

    /**
     * Deterministic recovery after leader failover. Before SWITCHOVER the target never ran the guest, so the safe move
     * is to undo. In SWITCHOVER the previous leader may already have resumed the target, so only the target can say
     * which copy is the guest: forward if it confirms the guest runs there, else undo.
     *
     * @throws IllegalArgumentException for a phase that no valid record has (unset or unknown)
     */
    public static RecoveryAction recoveryFor(Phase phase) {
        Objects.requireNonNull(phase, "phase must not be null");
        return switch (phase) {
            case PENDING, PREPARING_TARGET, PRECOPY -> RecoveryAction.ROLL_BACK;
            case SWITCHOVER -> RecoveryAction.CONFIRM_TARGET;
            case COMPLETED, FAILED, ROLLED_BACK, CANCELLED -> RecoveryAction.NONE;
            case PHASE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
                    "migration phase must be a known phase other than PHASE_UNSPECIFIED to recover, got " + phase);
        };
    }

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
