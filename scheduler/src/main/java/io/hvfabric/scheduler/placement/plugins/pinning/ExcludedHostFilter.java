package io.hvfabric.scheduler.placement.plugins.pinning;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/** Keeps a request off hosts it names as excluded, e.g. the migration source or the host being drained. */
public final class ExcludedHostFilter implements FilterPlugin {

    public static final String NAME = "ExcludedHostFilter";

    private static final Status EXCLUDED =
            Status.unresolvable(NAME, "excluded by the request", () -> "host is excluded by the request");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        return request.excludedHosts().contains(host.id()) ? EXCLUDED : Status.success();
    }
}
