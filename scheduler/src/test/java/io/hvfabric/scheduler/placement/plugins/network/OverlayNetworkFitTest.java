package io.hvfabric.scheduler.placement.plugins.network;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

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
class OverlayNetworkFitTest {
    private final OverlayNetworkFit fit = new OverlayNetworkFit();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void aVsiWithoutVnicsFitsAnyHost() {
        assertThat(fit.filter(vsi("a").build(), host("h1").build(), ctx).isSuccess()).isTrue();
    }

    @Test
    void aVsiWithVnicsNeedsTheOverlayDataPlane() {
        Status status = fit.filter(vsi("a").networkMtu(1450).build(), host("h1").build(), ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(status.plugin()).contains(OverlayNetworkFit.NAME);
        assertThat(status.labels()).containsExactly("without overlay networks (OverlayNetworkFit)");
        assertThat(status.reason()).isEqualTo("vsi has vNICs; host runs no overlay network data plane");
    }

    @Test
    void theUnderlayMustCarryEveryNetworksMtuPlusVxlan() {
        assertThat(fit.filter(vsi("a").networkMtu(1450).build(), host("h1").overlay(1450).build(), ctx).isSuccess())
                .isTrue();
        Status status = fit.filter(vsi("a").networkMtu(1451).build(), host("h1").overlay(1450).build(), ctx);

        assertThat(status.labels()).containsExactly("with an underlay MTU below 1501 (OverlayNetworkFit)");
        assertThat(status.reason()).isEqualTo(
                "vsi's networks need MTU 1451; host's underlay carries at most 1450 (underlay MTU minus 50)");
    }

    @Test
    void theStandardPipelineRunsItAndExplainsARefusal() {
        var pipeline = PlacementPipeline.fromConfig(PlacementConfig.DEFAULT);
        var result = pipeline.place(vsi("web-1").networkMtu(1450).build(),
                List.of(host("h1").build(), host("h2").overlay(1450).build()));

        assertThat(pipeline.filterNames()).contains(OverlayNetworkFit.NAME);
        assertThat(result.chosenHost()).contains("h2");
        assertThat(pipeline.place(vsi("web-1").networkMtu(1450).build(), List.of(host("h1").build())).explain())
                .isEqualTo("no host fits vsi 'web-1' (1 host without overlay networks (OverlayNetworkFit))");
    }
}
