package io.hvfabric.scheduler.placement.api;

/**
 * Decides whether one host can take one VSI. Implementations are stateless, thread-safe, fast (called for every host
 * of every decision) and report rejections as a {@link Status}, never by throwing.
 */
public interface FilterPlugin {

    /** Stable name, shown to operators as the rejecting plugin. */
    String name();

    Status filter(PlacementRequest request, HostCandidate host, PlacementContext context);
}
