package io.hvfabric.scheduler.vsi;

import com.google.protobuf.Timestamp;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiStatus;
import java.util.Optional;

/**
 * How an owner agent's report about a VSI changes its record. MIGRATING belongs to the migration controller: while a
 * migration is in flight the agent's word does not count, and an agent's own MIGRATING report is never taken. The
 * agent says MIGRATING while it still holds the source role, so a report sent just before it learned that the
 * migration ended (a heartbeat racing the controller's final transaction, typically right after a leader failover)
 * would otherwise put the record back into MIGRATING with no migration left to ever end it.
 */
public final class ReportedStatus {
    private ReportedStatus() {}

    /** Whether the report would change the record: only then is it worth a leader's write (or forwarding it there). */
    public static boolean changes(VsiRecord record, VsiStatus status) {
        return !migrationInFlight(record) && status.getState() != Vsi.State.MIGRATING
                && (record.getState() != status.getState() || record.getPid() != status.getPid()
                        || !record.getMessage().equals(status.getMessage())
                        || record.getRestarts() != status.getRestarts());
    }

    /** @return the record to write, or empty when the report changes nothing or must be ignored */
    static Optional<VsiRecord> merge(VsiRecord record, VsiStatus status, Timestamp now) {
        if (!changes(record, status)) {
            return Optional.empty();
        }
        VsiRecord.Builder next = record.toBuilder()
                .setPid(status.getPid())
                .setMessage(status.getMessage())
                .setRestarts(status.getRestarts());
        if (record.getState() != status.getState()) {
            next.setState(status.getState()).setStateChangedAt(now);
        }
        return Optional.of(next.build());
    }

    /** A MIGRATING record without a migration id is one an earlier version left stuck: agents' reports heal it. */
    private static boolean migrationInFlight(VsiRecord record) {
        return record.getState() == Vsi.State.MIGRATING && !record.getMigrationId().isEmpty();
    }
}
