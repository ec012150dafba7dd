package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestJoinTest {
    private static final GuestStatus UP = GuestStatus.newBuilder().setState(GuestStatus.State.UP)
            .setAgentVersion("hvf-ga 1").build();
    private static final Optional<AliveRecord> H1_ALIVE = Optional.of(AliveRecord.newBuilder()
            .putGuests("web-1", UP)
            .putGuests("other", GuestStatus.newBuilder().setState(GuestStatus.State.BOOTING).build())
            .build());

    private static VsiRecord record(Vsi.State state) {
        return VsiRecord.newBuilder().setSpec(VsiSpec.newBuilder().setName("web-1")).setHost("h1").setState(state)
                .build();
    }

    @Test
    void aRunningVsiShowsItsOwnersReport() {
        assertThat(GuestJoin.guestOf(record(Vsi.State.RUNNING), H1_ALIVE)).isEqualTo(UP);
        assertThat(GuestJoin.guestOf(record(Vsi.State.MIGRATING), H1_ALIVE)).isEqualTo(UP);
        Vsi vsi = GuestJoin.withGuest(VsiOperations.toVsi(record(Vsi.State.RUNNING), 3), record(Vsi.State.RUNNING),
                H1_ALIVE);
        assertThat(vsi.getGuest()).isEqualTo(UP);
    }

    @Test
    void aStoppedVsiHasNoGuestWhateverWasLastReported() {
        assertThat(GuestJoin.guestOf(record(Vsi.State.STOPPED), H1_ALIVE)).isEqualTo(GuestStatus.getDefaultInstance());
        assertThat(GuestJoin.guestOf(record(Vsi.State.FAILED), H1_ALIVE)).isEqualTo(GuestStatus.getDefaultInstance());
        Vsi stopped = GuestJoin.withGuest(Vsi.getDefaultInstance(), record(Vsi.State.STOPPED), H1_ALIVE);
        assertThat(stopped.hasGuest()).as("present for JSON readers, but unknown").isTrue();
        assertThat(stopped.getGuest().getState()).isEqualTo(GuestStatus.State.STATE_UNSPECIFIED);
    }

    @Test
    void aDownHostsGuestIsUnknownAndSaysWhy() {
        GuestStatus guest = GuestJoin.guestOf(record(Vsi.State.RUNNING), Optional.empty());

        assertThat(guest.getState()).isEqualTo(GuestStatus.State.STATE_UNSPECIFIED);
        assertThat(guest.getMessage()).isEqualTo("host DOWN");
    }

    @Test
    void aVsiTheOwnerHasNotReportedIsUnknown() {
        assertThat(GuestJoin.guestOf(record(Vsi.State.RUNNING), Optional.of(AliveRecord.getDefaultInstance())))
                .isEqualTo(GuestStatus.getDefaultInstance());
    }
}
