package io.hvfabric.migration;

import io.hvfabric.proto.v1.Migration.Phase;

/** A write tried to move a migration along an edge that {@link MigrationPhases} does not have. */
public final class IllegalTransitionException extends RuntimeException {

    private final String migrationId;
    private final Phase from;
    private final Phase to;

    public IllegalTransitionException(String migrationId, Phase from, Phase to) {
        super("migration '" + migrationId + "': illegal phase transition " + from + " -> " + to
                + " (allowed from " + from + ": " + describe(from) + ")");
        this.migrationId = migrationId;
        this.from = from;
        this.to = to;
    }

    private static String describe(Phase from) {
        var next = MigrationPhases.allowedNext(from);
        if (next.isEmpty()) {
            return MigrationPhases.isTerminal(from) ? "none, the phase is terminal" : "none";
        }
        return next.toString();
    }

    public String migrationId() {
        return migrationId;
    }

    public Phase from() {
        return from;
    }

    public Phase to() {
        return to;
    }
}
