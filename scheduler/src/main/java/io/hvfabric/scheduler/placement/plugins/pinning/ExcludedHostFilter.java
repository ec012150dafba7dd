package io.hvfabric.scheduler.placement.plugins.pinning;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;
import java.util.Set;

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
        // Most requests exclude nothing: skip hashing the host id against an empty set (every host, every decision).
        Set<String> excluded = request.excludedHosts();
        return !excluded.isEmpty() && excluded.contains(host.id()) ? EXCLUDED : Status.success();
    }
}
