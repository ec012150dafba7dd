package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Random clusters for property tests and the benchmark: hosts of two sizes, a few of them not READY, VSIs of typical
 * sizes filled to a per-host target load that is skewed (a fraction of hosts nearly full, the rest lightly loaded),
 * anti-affinity respected, dirty rates mostly low with a few write-heavy guests that cannot converge at 5 Gbit/s.
 */
public final class SimulatedClusters {

    /**
     * @param hotFraction share of hosts filled to 70–95%; the others are filled to 5–35%
     * @param notReadyFraction share of hosts made DOWN, CORDONED, DRAINING or unschedulable
     */
    public record Spec(int hosts, double hotFraction, double notReadyFraction, OvercommitRatios ratios) {}

    private static final long[] MEMORY_MIB = {1024, 2048, 4096, 8192, 16384};
    private static final int[] VCPUS = {1, 2, 4, 8};
    private static final HostState[] ODD_STATES = {HostState.DOWN, HostState.CORDONED, HostState.DRAINING};

    private SimulatedClusters() {}

    public static ClusterSnapshot generate(long seed, Spec spec) {
        Random random = new Random(seed);
        List<HostLoad> hosts = new ArrayList<>();
        int vsiCounter = 0;
        for (int i = 0; i < spec.hosts(); i++) {
            String id = String.format("host-%04d", i);
            boolean big = random.nextBoolean();
            Capacity capacity = big ? Capacity.of(64, 262_144, 4_096, 10_000) : Capacity.of(32, 131_072, 2_048, 10_000);
            HostState state = HostState.READY;
            boolean schedulable = true;
            if (random.nextDouble() < spec.notReadyFraction()) {
                int pick = random.nextInt(ODD_STATES.length + 1);
                if (pick == ODD_STATES.length) {
                    schedulable = false;
                } else {
                    state = ODD_STATES[pick];
                }
            }
            double targetLoad = random.nextDouble() < spec.hotFraction()
                    ? 0.70 + 0.25 * random.nextDouble()
                    : 0.05 + 0.30 * random.nextDouble();
            long memBudget = (long) (capacity.memoryMib() * spec.ratios().memory() * targetLoad);
            long cpuBudget = (long) (capacity.vcpus() * spec.ratios().cpu() * targetLoad);
            Capacity allocated = Capacity.ZERO;
            Set<String> groups = new HashSet<>();
            List<VsiLoad> vsis = new ArrayList<>();
            for (int attempt = 0; attempt < 64; attempt++) {
                long mem = MEMORY_MIB[random.nextInt(MEMORY_MIB.length)];
                int cpu = VCPUS[random.nextInt(VCPUS.length)];
                Capacity demand = Capacity.of(cpu, mem, 20, 100);
                if (allocated.memoryMib() + mem > memBudget || allocated.vcpus() + cpu > cpuBudget
                        || allocated.diskGib() + 20 > capacity.diskGib()
                        || allocated.nicMbps() + 100 > capacity.nicMbps()) {
                    continue;
                }
                String group = random.nextInt(4) == 0 ? "g" + random.nextInt(Math.max(2, spec.hosts() / 4)) : null;
                if (group != null && groups.contains(group)) {
                    group = null;
                }
                double dirty = random.nextInt(20) == 0 ? 700 + 300 * random.nextDouble() : 80 * random.nextDouble();
                vsis.add(new VsiLoad("vsi-" + vsiCounter++, demand, group, dirty));
                allocated = allocated.plus(demand);
                if (group != null) {
                    groups.add(group);
                }
            }
            HostCandidate host = new HostCandidate(
                    id, state, schedulable, "kvm", "host-model", capacity, allocated, groups, Map.of());
            hosts.add(new HostLoad(host, vsis));
        }
        return ClusterSnapshot.of(hosts);
    }
}
