package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.HostLoad;
import io.hvfabric.scheduler.drain.VsiLoad;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The planners' mutable working state: every host with its VSIs as moves are applied, the load of each READY host and
 * the sums that give the imbalance, so a candidate move is evaluated in O(1) and applying one costs O(hosts).
 */
final class LoadBook {

    private final OvercommitRatios ratios;
    private final HostLoad[] hosts; // in the snapshot's order
    private final Map<String, Integer> index = new HashMap<>();
    private final boolean[] ready;
    private final double[] loads; // meaningful for READY hosts only
    private final int readyCount;
    private double sum;
    private double sumSq;

    LoadBook(ClusterSnapshot cluster, OvercommitRatios ratios) {
        this.ratios = ratios;
        this.hosts = cluster.hosts().toArray(HostLoad[]::new);
        this.ready = new boolean[hosts.length];
        this.loads = new double[hosts.length];
        int n = 0;
        for (int i = 0; i < hosts.length; i++) {
            index.put(hosts[i].id(), i);
            if (ImbalanceMetric.counts(hosts[i].host())) {
                ready[i] = true;
                loads[i] = ImbalanceMetric.load(hosts[i].host(), ratios);
                n++;
            }
        }
        this.readyCount = n;
        resum();
    }

    /**
     * Sums in host order from scratch rather than incrementally, so the same cluster always gives bit-identical sums
     * however it was reached: a plan applied and planned again must see exactly what the planner saw last.
     */
    private void resum() {
        sum = 0;
        sumSq = 0;
        for (int i = 0; i < hosts.length; i++) {
            if (ready[i]) {
                sum += loads[i];
                sumSq += loads[i] * loads[i];
            }
        }
    }

    /** The cluster with every applied move. */
    ClusterSnapshot cluster() {
        return ClusterSnapshot.of(Arrays.asList(hosts));
    }

    HostLoad host(String id) {
        return hosts[index.get(id)];
    }

    double load(String hostId) {
        return loads[index.get(hostId)];
    }

    double mean() {
        return readyCount == 0 ? 0 : sum / readyCount;
    }

    double imbalance() {
        return ImbalanceMetric.stdDev(sum, sumSq, readyCount);
    }

    /** Sum of squared deviations from the mean (n × variance). */
    double squaredDeviation() {
        return readyCount == 0 ? 0 : Math.max(0, sumSq - sum * sum / readyCount);
    }

    /** READY hosts, most loaded first (ties by id, for determinism). */
    List<HostCandidate> readyByLoadDescending() {
        List<Integer> order = new ArrayList<>(readyCount);
        for (int i = 0; i < hosts.length; i++) {
            if (ready[i]) {
                order.add(i);
            }
        }
        order.sort((a, b) -> {
            int c = Double.compare(loads[b], loads[a]);
            return c != 0 ? c : hosts[a].id().compareTo(hosts[b].id());
        });
        List<HostCandidate> list = new ArrayList<>(order.size());
        for (int i : order) {
            list.add(hosts[i].host());
        }
        return list;
    }

    /** What {@link #squaredDeviation()} would be after moving {@code vsi} from {@code from} to {@code to}. */
    double squaredDeviationAfter(VsiLoad vsi, HostCandidate from, HostCandidate to) {
        int f = index.get(from.id());
        int t = index.get(to.id());
        Capacity d = vsi.demand();
        double oldFrom = loads[f];
        double oldTo = loads[t];
        double newFrom = ImbalanceMetric.load(from.capacity(), from.allocated().vcpus() - d.vcpus(),
                from.allocated().memoryMib() - d.memoryMib(), ratios);
        double newTo = ImbalanceMetric.load(to.capacity(), to.allocated().vcpus() + d.vcpus(),
                to.allocated().memoryMib() + d.memoryMib(), ratios);
        double s = sum - oldFrom - oldTo + newFrom + newTo;
        double sq = sumSq - oldFrom * oldFrom - oldTo * oldTo + newFrom * newFrom + newTo * newTo;
        return Math.max(0, sq - s * s / readyCount);
    }

    void apply(VsiLoad vsi, String from, String to) {
        int f = index.get(from);
        int t = index.get(to);
        hosts[f] = hosts[f].without(vsi);
        hosts[t] = hosts[t].with(vsi);
        for (int i : new int[] {f, t}) {
            if (ready[i]) {
                loads[i] = ImbalanceMetric.load(hosts[i].host(), ratios);
            }
        }
        resum();
    }
}
