package io.hvfabric.scheduler.placement.api;

/** Lifecycle state of a host as the scheduler sees it; only {@link #READY} hosts take new VSIs. */
public enum HostState {
    READY,
    NOT_READY,
    DOWN,
    CORDONED,
    DRAINING,
    MAINTENANCE;

    /** Lower-case words for operator messages, e.g. "not ready". */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
