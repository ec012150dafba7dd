package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiStatus;
import org.junit.jupiter.api.Test;

class ReportedStatusTest {
    private static final Timestamp NOW = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();

    private static VsiRecord record(Vsi.State state, String migrationId) {
        return VsiRecord.newBuilder().setHost("host-1").setState(state).setMigrationId(migrationId).setPid(42).build();
    }

    private static VsiStatus status(Vsi.State state, int pid) {
        return VsiStatus.newBuilder().setName("web-1").setState(state).setPid(pid).build();
    }

    @Test
    void aRunningGuestsReportUpdatesPidAndState() {
        VsiRecord next = ReportedStatus.merge(record(Vsi.State.STARTING, ""), status(Vsi.State.RUNNING, 77), NOW)
                .orElseThrow();
        assertThat(next.getState()).isEqualTo(Vsi.State.RUNNING);
        assertThat(next.getPid()).isEqualTo(77);
        assertThat(next.getStateChangedAt()).isEqualTo(NOW);
    }

    @Test
    void anUnchangedReportWritesNothing() {
        assertThat(ReportedStatus.merge(record(Vsi.State.RUNNING, ""), status(Vsi.State.RUNNING, 42), NOW)).isEmpty();
    }

    @Test
    void reportsDuringAMigrationAreIgnored() {
        assertThat(ReportedStatus.merge(record(Vsi.State.MIGRATING, "m-1"), status(Vsi.State.RUNNING, 42), NOW))
                .isEmpty();
    }

    @Test
    void aLateMigratingReportDoesNotUndoTheEndOfAMigration() {
        // The controller ended the migration (RUNNING, no migration id); the source agent's heartbeat from just
        // before it learned so still says MIGRATING.
        assertThat(ReportedStatus.merge(record(Vsi.State.RUNNING, ""), status(Vsi.State.MIGRATING, 42), NOW))
                .isEmpty();
        assertThat(ReportedStatus.changes(record(Vsi.State.RUNNING, ""), status(Vsi.State.MIGRATING, 42)))
                .as("not even forwarded to the leader").isFalse();
    }

    @Test
    void aRecordStuckInMigratingWithoutAMigrationHealsFromTheAgentsReport() {
        VsiRecord next = ReportedStatus.merge(record(Vsi.State.MIGRATING, ""), status(Vsi.State.RUNNING, 42), NOW)
                .orElseThrow();
        assertThat(next.getState()).isEqualTo(Vsi.State.RUNNING);
    }
}
