package io.hvfabric.agent.network;

import static io.hvfabric.agent.network.Fixtures.network;
import static io.hvfabric.agent.network.Fixtures.nic;
import static io.hvfabric.agent.network.Fixtures.peer;
import static io.hvfabric.agent.network.Fixtures.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkMetricsTest {
    @TempDir
    Path sys;

    @Test
    void eachVnicsTrafficIsReadFromItsTapInTheGuestsViewAndEachNetworkIsCounted() throws IOException {
        PlaneSpec spec = PlaneSpec.of(List.of(NetworkSpec.of(network(100).addPeers(peer("h2", "10.88.1.12"))
                        .addPeers(peer("h3", "10.88.1.13")).build())),
                List.of(vsi("web-1", nic(100, "0a:00:00:64:00:05", "10.0.0.5", 0)),
                        vsi("gone-1", nic(100, "0a:00:00:64:00:06", "10.0.0.6", 0))), new HashMap<>());
        Path stats = Files.createDirectories(sys.resolve(NetNames.tap("web-1", 0)).resolve("statistics"));
        String[][] values = {{"rx_bytes", "1000"}, {"tx_bytes", "2000"}, {"rx_packets", "10"}, {"tx_packets", "20"},
                {"rx_dropped", "1"}, {"tx_dropped", "2"}};
        for (String[] v : values) {
            Files.writeString(stats.resolve(v[0]), v[1] + "\n");
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        new NetworkMetrics(() -> spec, new TapStatistics(sys)).register(registry);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);

        String labels = "{network=\"t1/net100\",nic=\"0\",vsi=\"web-1\"}";
        assertThat(text).contains("hvf_agent_vnic_rx_bytes_total" + labels + " 2000.0",
                "hvf_agent_vnic_tx_bytes_total" + labels + " 1000.0",
                "hvf_agent_vnic_rx_packets_total" + labels + " 20.0",
                "hvf_agent_vnic_tx_packets_total" + labels + " 10.0",
                "hvf_agent_vnic_rx_dropped_total" + labels + " 2.0",
                "hvf_agent_vnic_tx_dropped_total" + labels + " 1.0",
                "hvf_agent_network_vnics{network=\"t1/net100\"} 2.0",
                "hvf_agent_network_peers{network=\"t1/net100\"} 2.0");
        assertThat(text).doesNotContain("gone-1"); // its tap has no counters (any more)
    }
}
