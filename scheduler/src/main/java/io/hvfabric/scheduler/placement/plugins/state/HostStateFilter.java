package io.hvfabric.scheduler.placement.plugins.state;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;
import java.util.EnumMap;
import java.util.Map;

/** Only READY, schedulable hosts take new VSIs; any other state is reported as the reason. */
public final class HostStateFilter implements FilterPlugin {

    public static final String NAME = "HostStateFilter";

    // Verdicts don't depend on the request, so they are built once and the filter never allocates.
    private static final Map<HostState, Status> REJECTIONS = new EnumMap<>(HostState.class);
    private static final Status NOT_SCHEDULABLE = Status.unresolvable(
            NAME, "marked unschedulable", () -> "host is READY but marked unschedulable");

    static {
        for (HostState state : HostState.values()) {
            if (state != HostState.READY) {
                String label = state == HostState.MAINTENANCE ? "in maintenance" : state.displayName();
                REJECTIONS.put(state, Status.unresolvable(
                        NAME, label, () -> "host is " + state + "; only READY hosts take new VSIs"));
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        if (host.state() != HostState.READY) {
            return REJECTIONS.get(host.state());
        }
        return host.schedulable() ? Status.success() : NOT_SCHEDULABLE;
    }
}
