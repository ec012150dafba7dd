package io.hvfabric.scheduler.placement.plugins.fit;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.Status;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NicBandwidthFitTest {

    private final NicBandwidthFit fit = new NicBandwidthFit();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void requestReservingNoBandwidthFitsEvenAFullyReservedNic() {
        var host = host("h1").capacity(8, 8_192, 100, 1_000).allocated(0, 0, 0, 1_000).build();

        assertThat(fit.filter(vsi("a").demand(1, 1, 1, 0).build(), host, ctx).isSuccess()).isTrue();
    }

    @Test
    void reservedBandwidthMustFit() {
        var host = host("h1").capacity(8, 8_192, 100, 10_000).allocated(0, 0, 0, 9_000).build();

        assertThat(fit.filter(vsi("a").demand(1, 1, 1, 1_000).build(), host, ctx).isSuccess()).isTrue();
        Status status = fit.filter(vsi("b").demand(1, 1, 1, 1_001).build(), host, ctx);
        assertThat(status.dimension()).contains(Dimension.NIC);
        assertThat(status.plugin()).contains(NicBandwidthFit.NAME);
        assertThat(status.reason()).isEqualTo("nic bandwidth: needs 1001 Mbps, free 1000 Mbps of 10000 Mbps × 1.0");
    }

    @Test
    void aRefusalForTheVnicsBandwidthNamesTheNicDimension() {
        var pipeline = PlacementPipeline.fromConfig(PlacementConfig.DEFAULT);
        var full = host("h1").capacity(8, 8_192, 100, 10_000).allocated(0, 0, 0, 9_500).overlay(1450).build();
        var result = pipeline.place(vsi("web-1").demand(1, 512, 1, 1_000).networkMtu(1450).build(), List.of(full));

        assertThat(result.chosenHost()).isEmpty();
        assertThat(result.statuses().get("h1").dimension()).contains(Dimension.NIC);
        assertThat(result.explain()).isEqualTo(
                "no host fits vsi 'web-1': nic bandwidth is the binding dimension (1 host short on nic bandwidth)");
    }
}
