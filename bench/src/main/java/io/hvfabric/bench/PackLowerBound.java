package io.hvfabric.bench;

import io.hvfabric.proto.v1.VsiSpec;
import java.util.List;

/**
 * The fewest identical hosts that could hold a set of VSIs, by volume alone: the maximum over dimensions of
 * ceil(total demand / (per-host capacity × overcommit ratio)). A perfect packer cannot beat it; bin-packing
 * fragmentation is why a real one may need a little more.
 */
public final class PackLowerBound {
    private PackLowerBound() {
    }

    public static long hosts(List<VsiSpec> placed, int hostVcpus, long hostMemoryMib, double cpuRatio,
            double memoryRatio) {
        long vcpus = placed.stream().mapToLong(VsiSpec::getVcpus).sum();
        long memory = placed.stream().mapToLong(VsiSpec::getMemoryMib).sum();
        long byCpu = ceilDiv(vcpus, (long) Math.floor(hostVcpus * cpuRatio));
        long byMemory = ceilDiv(memory, (long) Math.floor(hostMemoryMib * memoryRatio));
        return Math.max(byCpu, byMemory);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
