package io.hvfabric.scheduler.placement.api;

/** How placement weighs feasible hosts against each other. */
public enum PlacementPolicy {
    /** Prefer the host with the most free capacity: fewer noisy neighbours, room for growth. */
    SPREAD,
    /** Prefer the tightest fit: keeps whole hosts free for large VSIs and for maintenance. */
    PACK;

    public static final PlacementPolicy DEFAULT = SPREAD;
}
