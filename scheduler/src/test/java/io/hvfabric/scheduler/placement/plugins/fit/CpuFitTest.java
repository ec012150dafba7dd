package io.hvfabric.scheduler.placement.plugins.fit;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CpuFitTest {

    private final CpuFit fit = new CpuFit();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT); // cpu × 4.0

    @Test
    void fitsExactlyUpToCapacityTimesRatio() {
        var host = host("h1").capacity(16, 65_536, 100, 0).allocated(60, 0, 0, 0).build();

        assertThat(fit.filter(vsi("a").demand(4, 1, 1, 0).build(), host, ctx).isSuccess()).isTrue();
    }

    @Test
    void rejectsOneVcpuMoreWithTheNumbers() {
        var host = host("h1").capacity(16, 65_536, 100, 0).allocated(60, 0, 0, 0).build();

        Status status = fit.filter(vsi("a").demand(5, 1, 1, 0).build(), host, ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(status.plugin()).contains(CpuFit.NAME);
        assertThat(status.dimension()).contains(Dimension.CPU);
        assertThat(status.reason()).isEqualTo("cpu: needs 5 vCPUs, free 4 vCPUs of 16 vCPUs × 4.0");
    }

    @Test
    void honoursTheConfiguredRatio() {
        var noOvercommit = new PlacementContext(new OvercommitRatios(1.0, 1.0, 1.0, 1.0));
        var host = host("h1").capacity(16, 65_536, 100, 0).allocated(14, 0, 0, 0).build();

        assertThat(fit.filter(vsi("a").demand(3, 1, 1, 0).build(), host, noOvercommit).isSuccess()).isFalse();
        assertThat(fit.filter(vsi("a").demand(3, 1, 1, 0).build(), host, ctx).isSuccess()).isTrue();
    }
}
