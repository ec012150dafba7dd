package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.Capacity;

/**
 * A VSI as drain and rebalance planning see it: what it reserves and how hard it is to live-migrate.
 *
 * @param demand what the VSI reserves on its host; {@code demand.memoryMib()} is also the guest RAM a migration copies
 * @param antiAffinityGroup nullable; no two VSIs of the group may share a host
 * @param dirtyRateMibps observed rate at which the guest dirties memory, in MiB/s (from QMP dirty-pages-rate)
 * @param networkMtu the largest MTU of the networks it has vNICs on; 0 without vNICs
 */
public record VsiLoad(String name, Capacity demand, String antiAffinityGroup, double dirtyRateMibps, int networkMtu) {

    public VsiLoad {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("VsiLoad.name must be non-blank");
        }
        if (demand == null) {
            throw new IllegalArgumentException("VsiLoad.demand must be set (vsi '" + name + "')");
        }
        if (antiAffinityGroup != null && antiAffinityGroup.isBlank()) {
            throw new IllegalArgumentException("VsiLoad.antiAffinityGroup must be null or non-blank (vsi '" + name + "')");
        }
        if (!(dirtyRateMibps >= 0) || Double.isInfinite(dirtyRateMibps)) {
            throw new IllegalArgumentException(
                    "VsiLoad.dirtyRateMibps must be a finite number >= 0 (vsi '" + name + "'), got " + dirtyRateMibps);
        }
    }

    /** A VSI without vNICs. */
    public VsiLoad(String name, Capacity demand, String antiAffinityGroup, double dirtyRateMibps) {
        this(name, demand, antiAffinityGroup, dirtyRateMibps, 0);
    }

    public long memoryMib() {
        return demand.memoryMib();
    }
}
