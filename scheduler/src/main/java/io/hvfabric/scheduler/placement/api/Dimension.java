package io.hvfabric.scheduler.placement.api;

/** A resource dimension that placement accounts for, with the unit operators read it in. */
public enum Dimension {
    CPU("cpu", "vCPUs"),
    MEMORY("memory", "MiB"),
    DISK("disk", "GiB"),
    NIC("nic bandwidth", "Mbps");

    private final String displayName;
    private final String unit;

    Dimension(String displayName, String unit) {
        this.displayName = displayName;
        this.unit = unit;
    }

    /** Lower-case name used in operator messages, e.g. "memory". */
    public String displayName() {
        return displayName;
    }

    public String unit() {
        return unit;
    }

    /** This dimension's amount in {@code capacity}. */
    public long of(Capacity capacity) {
        switch (this) {
            case CPU:
                return capacity.vcpus();
            case MEMORY:
                return capacity.memoryMib();
            case DISK:
                return capacity.diskGib();
            case NIC:
                return capacity.nicMbps();
            default:
                throw new AssertionError(this);
        }
    }
}
