package io.hvfabric.scheduler.placement.api;

/**
 * Why a host cannot take a demand in one dimension, with the numbers an operator needs to act on it.
 *
 * @param capacity the host's raw capacity in this dimension, before overcommit
 */
public record Shortfall(Dimension dimension, long demand, long allocated, long capacity, double ratio) {

    public Shortfall {
        if (dimension == null) {
            throw new IllegalArgumentException("Shortfall.dimension must be set");
        }
    }

    /** What the host offers after overcommit. */
    public long effectiveCapacity() {
        return OvercommitRatios.effectiveCapacity(capacity, ratio);
    }

    /** What is still free; never negative even if the host is already over-allocated. */
    public long free() {
        return Math.max(0, effectiveCapacity() - allocated);
    }

    /** E.g. "memory: needs 4096 MiB, free 1024 MiB of 8192 MiB × 1.0". */
    public String describe() {
        String unit = dimension.unit();
        return dimension.displayName() + ": needs " + demand + " " + unit + ", free " + free() + " " + unit + " of "
                + capacity + " " + unit + " × " + ratio;
    }
}
