package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks of plans written independently of the planners: what the property tests assert. */
public final class PlanInvariants {

    private PlanInvariants() {}

    /** Demand of the VSIs on every host (summed here, not taken from the planner's accounting) within floor(capacity × ratio) in every dimension. */
    public static void assertWithinCapacity(ClusterSnapshot before, ClusterSnapshot after, OvercommitRatios r) {
        for (HostLoad h : after.hosts()) {
            HostCandidate c = h.host();
            // Hosts that started over capacity (not the planner's doing) may only get lighter.
            Capacity was = sum(before.requireHost(h.id()).vsis());
            Capacity now = sum(h.vsis());
            assertDimension(h.id(), "cpu", now.vcpus(), was.vcpus(), (long) (c.capacity().vcpus() * r.cpu()));
            assertDimension(h.id(), "memory", now.memoryMib(), was.memoryMib(),
                    (long) (c.capacity().memoryMib() * r.memory()));
            assertDimension(h.id(), "disk", now.diskGib(), was.diskGib(), (long) (c.capacity().diskGib() * r.disk()));
            assertDimension(h.id(), "nic", now.nicMbps(), was.nicMbps(), (long) (c.capacity().nicMbps() * r.nic()));
        }
    }

    private static Capacity sum(List<VsiLoad> vsis) {
        Capacity total = Capacity.ZERO;
        for (VsiLoad v : vsis) {
            total = total.plus(v.demand());
        }
        return total;
    }

    private static void assertDimension(String host, String dim, long now, long was, long limit) {
        if (now > was) {
            assertThat(now).as("%s allocation on %s after the plan", dim, host).isLessThanOrEqualTo(limit);
        }
    }

    /** No two VSIs of one anti-affinity group on one host. */
    public static void assertAntiAffinity(ClusterSnapshot cluster) {
        for (HostLoad h : cluster.hosts()) {
            Set<String> seen = new HashSet<>();
            for (VsiLoad v : h.vsis()) {
                if (v.antiAffinityGroup() != null) {
                    assertThat(seen.add(v.antiAffinityGroup()))
                            .as("group %s twice on host %s", v.antiAffinityGroup(), h.id())
                            .isTrue();
                }
            }
        }
    }

    /** At every instant a move starts, the moves running then respect every budget. */
    public static void assertBudgetsRespected(MigrationSchedule schedule, MigrationBudgets b) {
        for (ScheduledMove starting : schedule.moves()) {
            double t = starting.startSeconds();
            List<Transfer> running = new ArrayList<>();
            for (ScheduledMove m : schedule.moves()) {
                if (m.startSeconds() <= t && m.endSeconds() > t || m == starting) {
                    running.add(m.transfer());
                }
            }
            assertThat(running.size()).as("migrations in flight at %.3f s", t).isLessThanOrEqualTo(b.maxClusterWide());
            Map<String, Integer> out = new HashMap<>();
            Map<String, Integer> in = new HashMap<>();
            Map<String, Long> mbps = new HashMap<>();
            for (Transfer tr : running) {
                out.merge(tr.fromHost(), 1, Integer::sum);
                in.merge(tr.toHost(), 1, Integer::sum);
                mbps.merge(tr.fromHost(), tr.mbps(), Long::sum);
                mbps.merge(tr.toHost(), tr.mbps(), Long::sum);
            }
            out.values().forEach(n -> assertThat(n).isLessThanOrEqualTo(b.maxOutgoingPerHost()));
            in.values().forEach(n -> assertThat(n).isLessThanOrEqualTo(b.maxIncomingPerHost()));
            mbps.forEach((host, sum) -> assertThat(sum).as("Mbps on host %s", host).isLessThanOrEqualTo(b.nicMbps(host)));
        }
    }
}
