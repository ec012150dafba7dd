package io.hvfabric.agent.cgroup;

/**
 * CPU bandwidth and memory limit of one cgroup. {@link #UNLIMITED} (-1) stands for the kernel's
 * "max" (v2) or -1 / huge value (v1).
 *
 * @param cpuQuotaMicros CPU time allowed per period, summed over all CPUs, or {@link #UNLIMITED}
 * @param cpuPeriodMicros the accounting period, 1000..1000000 µs as the kernel requires
 * @param memoryLimitBytes hard memory limit, or {@link #UNLIMITED}
 */
public record CgroupLimits(long cpuQuotaMicros, long cpuPeriodMicros, long memoryLimitBytes) {
    public static final long UNLIMITED = -1;
    public static final long DEFAULT_PERIOD_MICROS = 100_000;

    public CgroupLimits {
        if (cpuPeriodMicros < 1_000 || cpuPeriodMicros > 1_000_000) {
            throw new IllegalArgumentException("cpuPeriodMicros must be within 1000..1000000, got " + cpuPeriodMicros);
        }
        if (cpuQuotaMicros != UNLIMITED && cpuQuotaMicros < 1_000) {
            throw new IllegalArgumentException("cpuQuotaMicros must be >= 1000 or -1 (unlimited), got " + cpuQuotaMicros);
        }
        if (memoryLimitBytes != UNLIMITED && memoryLimitBytes <= 0) {
            throw new IllegalArgumentException("memoryLimitBytes must be > 0 or -1 (unlimited), got " + memoryLimitBytes);
        }
    }

    /**
     * Limits for a VM: one full CPU per vCPU (the quota caps guest vCPU threads; QEMU's own
     * I/O and main-loop threads share it, which keeps a VSI from taking more than it was sold), and
     * guest RAM plus a fixed overhead for QEMU itself.
     */
    public static CgroupLimits forVm(int vcpus, long memoryMib, long overheadBytes) {
        if (vcpus < 1) {
            throw new IllegalArgumentException("vcpus must be >= 1, got " + vcpus);
        }
        if (memoryMib < 1) {
            throw new IllegalArgumentException("memoryMib must be >= 1, got " + memoryMib);
        }
        if (overheadBytes < 0) {
            throw new IllegalArgumentException("overheadBytes must be >= 0, got " + overheadBytes);
        }
        return new CgroupLimits(vcpus * DEFAULT_PERIOD_MICROS, DEFAULT_PERIOD_MICROS, (memoryMib << 20) + overheadBytes);
    }
}
