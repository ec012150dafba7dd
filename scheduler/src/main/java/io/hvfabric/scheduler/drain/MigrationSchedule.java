package io.hvfabric.scheduler.drain;

import java.util.List;

/**
 * Moves laid out in simulated time under the budgets.
 *
 * @param moves in start order
 * @param etaSeconds when the last move finishes
 * @param waves how many admission rounds started moves
 */
public record MigrationSchedule(List<ScheduledMove> moves, double etaSeconds, int waves) {

    public static final MigrationSchedule EMPTY = new MigrationSchedule(List.of(), 0, 0);

    public MigrationSchedule {
        moves = List.copyOf(moves);
    }
}
