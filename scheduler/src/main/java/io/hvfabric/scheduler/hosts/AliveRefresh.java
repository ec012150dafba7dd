package io.hvfabric.scheduler.hosts;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.VsiStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * When a heartbeat rewrites the host's alive record. Usage is a sample, rewritten every {@link #USAGE_INTERVAL};
 * guest status is what operators wait on ({@code vsi create --wait}, exec), so a change is written at once. The
 * decision compares with the alive record this replica's view holds, not with what it last wrote: a write lost to a
 * stale compare is simply made again by the next heartbeat.
 */
final class AliveRefresh {
    /** Usage is rewritten at most this often; the lease renewal itself is a cheap keep-alive. */
    static final Duration USAGE_INTERVAL = Duration.ofSeconds(5);

    enum Reason { NONE, GUESTS_CHANGED, USAGE_DUE }

    private AliveRefresh() {}

    /**
     * @param current       the alive record in the view, if any (a fresh registration's may not be there yet)
     * @param lastUsageWrite {@code System.nanoTime()} of this replica's last rewrite for the host, if any
     */
    static Reason decide(Optional<AliveRecord> current, Map<String, GuestStatus> reported,
                         OptionalLong lastUsageWrite, long nowNanos) {
        if (current.isPresent() && !sameGuests(current.get().getGuestsMap(), reported)) {
            return Reason.GUESTS_CHANGED;
        }
        if (lastUsageWrite.isEmpty() || nowNanos - lastUsageWrite.getAsLong() > USAGE_INTERVAL.toNanos()) {
            return Reason.USAGE_DUE;
        }
        return Reason.NONE;
    }

    /** The guest status of each VSI the heartbeat reports one for (an agent without guest support reports none). */
    static Map<String, GuestStatus> guests(HeartbeatRequest request) {
        Map<String, GuestStatus> guests = new LinkedHashMap<>();
        for (VsiStatus vsi : request.getVsisList()) {
            if (vsi.hasGuest()) {
                guests.put(vsi.getName(), vsi.getGuest());
            }
        }
        return guests;
    }

    /** Equal but for the missed-ping counter, which ticks between state changes and can wait for the usage cadence. */
    static boolean sameGuests(Map<String, GuestStatus> recorded, Map<String, GuestStatus> reported) {
        if (!recorded.keySet().equals(reported.keySet())) {
            return false;
        }
        for (Map.Entry<String, GuestStatus> e : reported.entrySet()) {
            if (!withoutCounter(e.getValue()).equals(withoutCounter(recorded.get(e.getKey())))) {
                return false;
            }
        }
        return true;
    }

    private static GuestStatus withoutCounter(GuestStatus status) {
        return status.toBuilder().clearMissedPings().build();
    }
}
