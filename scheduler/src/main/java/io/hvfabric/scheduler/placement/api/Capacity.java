package io.hvfabric.scheduler.placement.api;

/**
 * An amount of resources in every dimension placement accounts for. Used for a host's capacity, its allocation and a
 * VSI's demand; all components are non-negative.
 */
public record Capacity(int vcpus, long memoryMib, long diskGib, long nicMbps) {

    public static final Capacity ZERO = new Capacity(0, 0, 0, 0);

    public Capacity {
        requireNonNegative("vcpus", vcpus);
        requireNonNegative("memoryMib", memoryMib);
        requireNonNegative("diskGib", diskGib);
        requireNonNegative("nicMbps", nicMbps);
    }

    public static Capacity of(int vcpus, long memoryMib, long diskGib, long nicMbps) {
        return new Capacity(vcpus, memoryMib, diskGib, nicMbps);
    }

    public Capacity plus(Capacity other) {
        return new Capacity(
                Math.addExact(vcpus, other.vcpus),
                Math.addExact(memoryMib, other.memoryMib),
                Math.addExact(diskGib, other.diskGib),
                Math.addExact(nicMbps, other.nicMbps));
    }

    /**
     * Subtracts {@code other}; fails naming the dimension if that would go negative, since a negative amount always
     * means the caller's accounting is wrong (e.g. releasing an allocation twice).
     */
    public Capacity minus(Capacity other) {
        for (Dimension d : Dimension.values()) {
            if (d.of(other) > d.of(this)) {
                throw new IllegalArgumentException("cannot subtract " + d.of(other) + " " + d.unit() + " of "
                        + d.displayName() + " from " + d.of(this) + " " + d.unit() + ": result must be >= 0");
            }
        }
        return new Capacity(
                vcpus - other.vcpus, memoryMib - other.memoryMib, diskGib - other.diskGib, nicMbps - other.nicMbps);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("Capacity." + field + " must be >= 0, got " + value);
        }
    }
}
