package io.hvfabric.scheduler.placement.api;

/**
 * How far each dimension may be overcommitted: a host offers {@code floor(capacity × ratio)} of it. CPU is usually
 * overcommitted (idle vCPUs cost little); memory, disk and NIC bandwidth usually are not.
 */
public record OvercommitRatios(double cpu, double memory, double disk, double nic) {

    public static final OvercommitRatios DEFAULT = new OvercommitRatios(4.0, 1.0, 1.0, 1.0);

    /** Upper bound that keeps a typo (400 instead of 4.0) from turning into a meltdown. */
    public static final double MAX_RATIO = 64.0;

    public OvercommitRatios {
        requireValid("cpu", cpu);
        requireValid("memory", memory);
        requireValid("disk", disk);
        requireValid("nic", nic);
    }

    public double ratio(Dimension dimension) {
        switch (dimension) {
            case CPU:
                return cpu;
            case MEMORY:
                return memory;
            case DISK:
                return disk;
            case NIC:
                return nic;
            default:
                throw new AssertionError(dimension);
        }
    }

    /** What a host with {@code rawCapacity} of {@code dimension} offers for allocation. */
    public long effectiveCapacity(Dimension dimension, long rawCapacity) {
        return effectiveCapacity(rawCapacity, ratio(dimension));
    }

    /**
     * {@code floor(rawCapacity × ratio)}: rounding down keeps the sum of allocations within capacity × ratio. Both
     * factors are non-negative, so the truncating cast is the floor (and cheaper than Math.floor in the hot loop).
     */
    public static long effectiveCapacity(long rawCapacity, double ratio) {
        return (long) (rawCapacity * ratio);
    }

    private static void requireValid(String field, double ratio) {
        if (!(ratio > 0.0) || ratio > MAX_RATIO || Double.isNaN(ratio)) {
            throw new IllegalArgumentException(
                    "OvercommitRatios." + field + " must be > 0 and <= " + MAX_RATIO + ", got " + ratio);
        }
    }
}
