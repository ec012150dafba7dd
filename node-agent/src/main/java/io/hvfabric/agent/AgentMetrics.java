package io.hvfabric.agent;

import io.hvfabric.agent.guest.GuestState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.util.Optional;

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
            .help("1 if a standard guest kernel booted under KVM on this host (guests use KVM), else 0 (TCG)")
            .register();
    final Gauge accelerator = Gauge.builder()
            .name("hvf_agent_accelerator")
            .help("1 for the accelerator this host's guests run on, with the --accel mode and whether KVM is kvm_pvm")
            .labelNames("accelerator", "mode", "kvm_pvm")
            .register();
    final Gauge guestState = Gauge.builder()
            .name("hvf_agent_guest_state")
            .help("1 for the state each VSI's guest is in as its guest agent shows it (NO_AGENT, BOOTING, UP,"
                    + " UNRESPONSIVE), 0 for the others; gone with the VSI")
            .labelNames("vsi", "state")
            .register();

    /** One series per state, 1 for the current one; an empty state (the VSI left or stopped) removes them all. */
    void guestState(String vsi, Optional<GuestState> state) {
        for (GuestState s : GuestState.values()) {
            if (state.isPresent()) {
                guestState.labelValues(vsi, s.name()).set(s == state.get() ? 1 : 0);
            } else {
                guestState.remove(vsi, s.name());
            }
        }
    }
}
