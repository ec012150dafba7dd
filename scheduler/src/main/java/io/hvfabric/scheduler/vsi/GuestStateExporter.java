package io.hvfabric.scheduler.vsi;

import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.SchedulerMetrics;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Counts VSIs per guest state ({@link GuestJoin}) into {@code hvf_vsi_guest_state} whenever the view changes. */
public final class GuestStateExporter implements ClusterView.ChangeListener {
    static final String UNKNOWN = "UNKNOWN";

    private final ClusterView view;
    private final SchedulerMetrics metrics;

    public GuestStateExporter(ClusterView view, SchedulerMetrics metrics) {
        this.view = view;
        this.metrics = metrics;
    }

    @Override
    public void onChange(long revision) {
        List<GuestStatus.State> states = view.vsis().stream()
                .map(Versioned::value)
                .map(r -> GuestJoin.guestOf(r, view.alive(r.getHost()).map(Versioned::value)).getState())
                .toList();
        count(states).forEach((state, n) -> metrics.guestStates().labelValues(label(state)).set(n));
    }

    /** Every state, zeros included, so a state that empties drops to 0 instead of keeping its last count. */
    static Map<GuestStatus.State, Integer> count(List<GuestStatus.State> states) {
        Map<GuestStatus.State, Integer> counts = new EnumMap<>(GuestStatus.State.class);
        for (GuestStatus.State s : GuestStatus.State.values()) {
            if (s != GuestStatus.State.UNRECOGNIZED) {
                counts.put(s, 0);
            }
        }
        for (GuestStatus.State s : states) {
            counts.merge(s == GuestStatus.State.UNRECOGNIZED ? GuestStatus.State.STATE_UNSPECIFIED : s, 1,
                    Integer::sum);
        }
        return counts;
    }

    static String label(GuestStatus.State state) {
        return state == GuestStatus.State.STATE_UNSPECIFIED ? UNKNOWN : state.name();
    }
}
