package io.hvfabric.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.guest.GuestState;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    private static final AgentMetrics METRICS = new AgentMetrics(); // registers once in the default registry

    private static Map<String, Double> guestStates(String vsi) {
        return METRICS.guestState.collect().getDataPoints().stream()
                .filter(p -> vsi.equals(p.getLabels().get("vsi")))
                .collect(Collectors.toMap(p -> p.getLabels().get("state"), GaugeDataPointSnapshot::getValue));
    }

    @Test
    void theGuestStateGaugeIsOneForTheCurrentStateAndGoesWithTheVsi() {
        METRICS.guestState("vm1", Optional.of(GuestState.BOOTING));
        METRICS.guestState("vm1", Optional.of(GuestState.UP));
        METRICS.guestState("vm2", Optional.of(GuestState.NO_AGENT));

        assertThat(guestStates("vm1")).isEqualTo(Map.of("NO_AGENT", 0.0, "BOOTING", 0.0, "UP", 1.0, "UNRESPONSIVE", 0.0));

        METRICS.guestState("vm1", Optional.empty());
        assertThat(guestStates("vm1")).isEmpty();
        assertThat(guestStates("vm2")).containsEntry("NO_AGENT", 1.0);
    }
}
