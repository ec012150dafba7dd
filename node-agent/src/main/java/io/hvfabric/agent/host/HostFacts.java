package io.hvfabric.agent.host;

import java.util.Objects;

/** What the agent found on its host at start-up; the capacity it offers comes from here. */
public record HostFacts(
        int logicalCpus,
        long memoryTotalMib,
        long memoryAvailableMib,
        long diskTotalGib,
        long diskFreeGib,
        String kernelRelease,
        double loadAverage1m,
        NicInfo nic) {
    public HostFacts {
        Objects.requireNonNull(kernelRelease, "kernelRelease");
        Objects.requireNonNull(nic, "nic");
        if (logicalCpus <= 0) {
            throw new IllegalArgumentException("logicalCpus must be positive, got " + logicalCpus);
        }
    }
}
