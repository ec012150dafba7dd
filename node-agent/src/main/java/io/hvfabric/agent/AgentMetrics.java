package io.hvfabric.agent;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/** The node agent's own Prometheus metrics (gRPC and JVM metrics come from common). */
final class AgentMetrics {
    final Gauge capacity = Gauge.builder()
            .name("hvf_agent_capacity")
            .help("capacity this host offers, per dimension (vcpus, memory_mib, disk_gib, nic_mbps)")
            .labelNames("dimension")
            .register();
    final Gauge usage = Gauge.builder()
            .name("hvf_agent_usage")
            .help("observed host usage (load_average_1m, memory_available_mib, disk_free_gib, running_vsis)")
            .labelNames("metric")
            .register();
    final Counter heartbeats = Counter.builder()
            .name("hvf_agent_heartbeats_total")
            .help("heartbeats sent to the scheduler, by result")
            .labelNames("result")
            .register();
    final Counter registrations = Counter.builder()
            .name("hvf_agent_registrations_total")
            .help("successful registrations with the scheduler")
            .register();
    final Gauge term = Gauge.builder()
            .name("hvf_agent_leader_term")
            .help("highest leader term this agent has seen")
            .register();
    final Gauge kvmUsable = Gauge.builder()
            .name("hvf_agent_kvm_usable")
            .help("1 if the KVM probe ran a standard 64-bit guest, else 0 (guests use TCG)")
            .register();
}
