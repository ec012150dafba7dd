package io.hvfabric.scheduler;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/** The scheduler's own Prometheus metrics (gRPC and JVM metrics come from common). */
public final class SchedulerMetrics {
    private final Gauge isLeader = Gauge.builder()
            .name("hvf_scheduler_is_leader")
            .help("1 while this replica leads")
            .register();
    private final Gauge term = Gauge.builder()
            .name("hvf_scheduler_term")
            .help("the leader's term (create revision of its election key) as seen by this replica")
            .register();
    private final Counter heartbeats = Counter.builder()
            .name("hvf_host_heartbeats_total")
            .help("heartbeats received from node agents")
            .labelNames("host")
            .register();
    private final Gauge hosts = Gauge.builder()
            .name("hvf_hosts")
            .help("hosts by state")
            .labelNames("state")
            .register();
    private final Gauge hostCapacity = Gauge.builder()
            .name("hvf_host_capacity")
            .help("host capacity per dimension (vcpus, memory_mib, disk_gib, nic_mbps)")
            .labelNames("host", "dimension")
            .register();
    private final Gauge hostAllocated = Gauge.builder()
            .name("hvf_host_allocated")
            .help("capacity allocated to VSIs per dimension")
            .labelNames("host", "dimension")
            .register();
    private final Gauge guestStates = Gauge.builder()
            .name("hvf_vsi_guest_state")
            .help("VSIs by guest state as this replica's view shows them (UNKNOWN: not running, or not reported)")
            .labelNames("state")
            .register();

    public void leader(boolean leading, long termRevision) {
        isLeader.set(leading ? 1 : 0);
        term.set(termRevision);
    }

    public void heartbeat(String host) {
        heartbeats.labelValues(host).inc();
    }

    public Gauge hosts() {
        return hosts;
    }

    public Gauge hostCapacity() {
        return hostCapacity;
    }

    public Gauge hostAllocated() {
        return hostAllocated;
    }

    public Gauge guestStates() {
        return guestStates;
    }
}
