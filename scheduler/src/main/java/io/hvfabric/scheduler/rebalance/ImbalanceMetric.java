package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;

/**
 * How unevenly the cluster is loaded, as VMware DRS measures it.
 *
 * <p>A host's normalized load is the mean of its CPU and memory utilization, each against what the host offers after
 * overcommit: {@code L = (cpu_alloc / (cpu_cap × cpu_ratio) + mem_alloc / (mem_cap × mem_ratio)) / 2}. A dimension
 * with no capacity is left out of the mean. Disk and NIC bandwidth are fit constraints, not balanced. The imbalance is
 * the population standard deviation of L over READY hosts: other hosts neither give nor take VSIs in a rebalance.
 */
public final class ImbalanceMetric {

    private ImbalanceMetric() {}

    public static boolean counts(HostCandidate host) {
        return host.state() == HostState.READY;
    }

    public static double load(HostCandidate host, OvercommitRatios ratios) {
        return load(host.capacity(), host.allocated(), ratios);
    }

    static double load(Capacity capacity, Capacity allocated, OvercommitRatios ratios) {
        return load(capacity, allocated.vcpus(), allocated.memoryMib(), ratios);
    }

    /** The same from plain numbers: the planners evaluate thousands of hypothetical allocations per step. */
    static double load(Capacity capacity, long vcpus, long memoryMib, OvercommitRatios ratios) {
        double cpuOffered = capacity.vcpus() * ratios.cpu();
        double memOffered = capacity.memoryMib() * ratios.memory();
        double sum = 0;
        int dims = 0;
        if (cpuOffered > 0) {
            sum += vcpus / cpuOffered;
            dims++;
        }
        if (memOffered > 0) {
            sum += memoryMib / memOffered;
            dims++;
        }
        return dims == 0 ? 0 : sum / dims;
    }

    /** Standard deviation of the normalized load over READY hosts; 0 with fewer than two. */
    public static double imbalance(ClusterSnapshot cluster, OvercommitRatios ratios) {
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (HostLoad h : cluster.hosts()) {
            if (counts(h.host())) {
                double l = load(h.host(), ratios);
                sum += l;
                sumSq += l * l;
                n++;
            }
        }
        return stdDev(sum, sumSq, n);
    }

    static double stdDev(double sum, double sumSq, int n) {
        if (n < 2) {
            return 0;
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    }
}
