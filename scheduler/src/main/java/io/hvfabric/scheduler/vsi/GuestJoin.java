package io.hvfabric.scheduler.vsi;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import java.util.Optional;

/**
 * The guest status operators see on a VSI. It is an observation, not a decision, so it lives in the owner host's
 * alive record (written by heartbeats on any replica) rather than in the leader-written VSI record; this joins the
 * two when a {@link Vsi} is built.
 */
public final class GuestJoin {
    static final String HOST_DOWN = "host DOWN";

    private GuestJoin() {}

    /**
     * The owner's last report for a VSI that should have a guest (starting, running or migrating); unknown
     * otherwise. A DOWN host's alive key has expired, so its guests are unknown too, and say so.
     *
     * @param ownerAlive the alive record of {@code record.getHost()}, empty when its lease expired
     */
    public static GuestStatus guestOf(VsiRecord record, Optional<AliveRecord> ownerAlive) {
        if (!hasGuest(record.getState()) || record.getHost().isEmpty()) {
            return GuestStatus.getDefaultInstance();
        }
        if (ownerAlive.isEmpty()) {
            return GuestStatus.newBuilder().setMessage(HOST_DOWN).build();
        }
        return ownerAlive.get().getGuestsOrDefault(record.getSpec().getName(), GuestStatus.getDefaultInstance());
    }

    /** Always sets the guest, unknown included, so JSON readers find {@code guest.state} on every VSI. */
    public static Vsi withGuest(Vsi vsi, VsiRecord record, Optional<AliveRecord> ownerAlive) {
        return vsi.toBuilder().setGuest(guestOf(record, ownerAlive)).build();
    }

    private static boolean hasGuest(Vsi.State state) {
        return state == Vsi.State.STARTING || state == Vsi.State.RUNNING || state == Vsi.State.MIGRATING;
    }
}
