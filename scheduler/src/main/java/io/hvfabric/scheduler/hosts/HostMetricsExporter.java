package io.hvfabric.scheduler.hosts;

import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.scheduler.SchedulerMetrics;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiFunction;

/** Mirrors host capacity, allocation and state counts into Prometheus gauges whenever the view changes. */
public final class HostMetricsExporter implements ClusterView.ChangeListener {
    private final ClusterView view;
    private final SchedulerMetrics metrics;
    private final BiFunction<String, String, String> reachability;

    public HostMetricsExporter(ClusterView view, SchedulerMetrics metrics,
                               BiFunction<String, String, String> reachability) {
        this.view = view;
        this.metrics = metrics;
        this.reachability = reachability;
    }

    @Override
    public void onChange(long revision) {
        Map<Host.State, Integer> counts = new EnumMap<>(Host.State.class);
        for (Host.State s : Host.State.values()) {
            if (s != Host.State.UNRECOGNIZED && s != Host.State.STATE_UNSPECIFIED) {
                counts.put(s, 0);
            }
        }
        for (Versioned<HostRecord> v : view.hosts()) {
            HostRecord r = v.value();
            Host host = HostStates.toHost(r, view.alive(r.getId()).map(Versioned::value),
                    view.allocation(r.getId()).map(Versioned::value), reachability.apply("agent", r.getId()));
            counts.merge(host.getState(), 1, Integer::sum);
            export(metrics.hostCapacity(), r.getId(), host.getCapacity());
            export(metrics.hostAllocated(), r.getId(), host.getAllocated());
        }
        counts.forEach((state, n) -> metrics.hosts().labelValues(state.name()).set(n));
    }

    private static void export(io.prometheus.metrics.core.metrics.Gauge gauge, String host, Resources r) {
        gauge.labelValues(host, "vcpus").set(r.getVcpus());
        gauge.labelValues(host, "memory_mib").set(r.getMemoryMib());
        gauge.labelValues(host, "disk_gib").set(r.getDiskGib());
        gauge.labelValues(host, "nic_mbps").set(r.getNicMbps());
    }
}
