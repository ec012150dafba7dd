package io.hvfabric.agent.network;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The data plane's metrics, read at scrape time: each vNIC's traffic from its tap's counters (in the guest's view: a
 * vNIC's rx is what its tap sent to the guest), and per network the vNICs and peers this host has on it.
 */
public final class NetworkMetrics {
    private static final String[] PORT_LABELS = {"vsi", "nic", "network"};

    private final Supplier<PlaneSpec> spec;
    private final TapStatistics statistics;

    public NetworkMetrics(Supplier<PlaneSpec> spec, TapStatistics statistics) {
        this.spec = spec;
        this.statistics = statistics;
    }

    public void register(PrometheusRegistry registry) {
        counter(registry, "hvf_agent_vnic_rx_bytes", "bytes delivered to the guest's vNIC",
                TapStatistics.Counters::txBytes);
        counter(registry, "hvf_agent_vnic_tx_bytes", "bytes the guest's vNIC sent", TapStatistics.Counters::rxBytes);
        counter(registry, "hvf_agent_vnic_rx_packets", "packets delivered to the guest's vNIC",
                TapStatistics.Counters::txPackets);
        counter(registry, "hvf_agent_vnic_tx_packets", "packets the guest's vNIC sent",
                TapStatistics.Counters::rxPackets);
        counter(registry, "hvf_agent_vnic_rx_dropped", "packets for the guest dropped on its tap (queue full, shaping)",
                TapStatistics.Counters::txDropped);
        counter(registry, "hvf_agent_vnic_tx_dropped", "packets from the guest dropped on its tap",
                TapStatistics.Counters::rxDropped);
        GaugeWithCallback.builder()
                .name("hvf_agent_network_vnics")
                .help("vNICs this host has on each network it carries")
                .labelNames("network")
                .callback(cb -> spec.get().networks().values()
                        .forEach(n -> cb.call(spec.get().portsOn(n.vni()).size(), n.id())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("hvf_agent_network_peers")
                .help("other hosts carrying each network this host carries (its VXLAN flood list)")
                .labelNames("network")
                .callback(cb -> spec.get().networks().values().forEach(n -> cb.call(n.peers().size(), n.id())))
                .register(registry);
    }

    private void counter(PrometheusRegistry registry, String name, String help,
                         Function<TapStatistics.Counters, Long> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help + ", per vNIC (from its tap's counters; they restart when the tap is recreated)")
                .labelNames(PORT_LABELS)
                .callback(cb -> {
                    List<VsiPort> ports = spec.get().ports();
                    for (VsiPort p : ports) {
                        statistics.read(p.tap()).ifPresent(c -> cb.call(value.apply(c), p.vsi(),
                                Integer.toString(p.index()), p.network()));
                    }
                })
                .register(registry);
    }
}
