package io.hvfabric.scheduler.placement.api;

/** A feasible host with its weighted total score; higher is better. */
public record RankedHost(HostCandidate host, long score) {

    public String hostId() {
        return host.id();
    }
}
