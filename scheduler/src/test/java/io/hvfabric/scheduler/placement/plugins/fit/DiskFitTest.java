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
class DiskFitTest {

    private final DiskFit fit = new DiskFit();

    @Test
    void fractionalOvercommitRoundsDownSoTheSumStaysWithinCapacityTimesRatio() {
        var thinDisks = new PlacementContext(new OvercommitRatios(4.0, 1.0, 1.5, 1.0)); // 3 GiB × 1.5 = 4.5 → 4
        var host = host("h1").capacity(8, 8_192, 3, 0).build();

        assertThat(fit.filter(vsi("a").demand(1, 1, 4, 0).build(), host, thinDisks).isSuccess()).isTrue();
        Status five = fit.filter(vsi("b").demand(1, 1, 5, 0).build(), host, thinDisks);
        assertThat(five.dimension()).contains(Dimension.DISK);
        assertThat(five.plugin()).contains(DiskFit.NAME);
        assertThat(five.reason()).isEqualTo("disk: needs 5 GiB, free 4 GiB of 3 GiB × 1.5");
    }

    @Test
    void rejectsWhenDiskIsAllocated() {
        var ctx = new PlacementContext(OvercommitRatios.DEFAULT);
        var host = host("h1").capacity(8, 8_192, 100, 0).allocated(0, 0, 90, 0).build();

        assertThat(fit.filter(vsi("a").demand(1, 1, 10, 0).build(), host, ctx).isSuccess()).isTrue();
        assertThat(fit.filter(vsi("a").demand(1, 1, 11, 0).build(), host, ctx).isSuccess()).isFalse();
    }
}
