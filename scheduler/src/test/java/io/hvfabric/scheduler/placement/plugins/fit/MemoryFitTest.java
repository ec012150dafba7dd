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
class MemoryFitTest {

    private final MemoryFit fit = new MemoryFit();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT); // memory × 1.0

    @Test
    void rejectsWhenFreeMemoryIsShortNamingTheNumbers() {
        var host = host("h1").capacity(8, 8_192, 100, 0).allocated(0, 7_168, 0, 0).build();

        Status status = fit.filter(vsi("web-9").demand(1, 4_096, 1, 0).build(), host, ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(status.dimension()).contains(Dimension.MEMORY);
        assertThat(status.reason()).isEqualTo("memory: needs 4096 MiB, free 1024 MiB of 8192 MiB × 1.0");
        assertThat(status.labels()).containsExactly("short on memory");
    }

    @Test
    void fitsWhenExactlyEnoughIsFree() {
        var host = host("h1").capacity(8, 8_192, 100, 0).allocated(0, 4_096, 0, 0).build();

        assertThat(fit.filter(vsi("a").demand(1, 4_096, 1, 0).build(), host, ctx).isSuccess()).isTrue();
    }

    @Test
    void overAllocatedHostReportsZeroFree() {
        var host = host("h1").capacity(8, 8_192, 100, 0).allocated(0, 9_000, 0, 0).build();

        Status status = fit.filter(vsi("a").demand(1, 1, 1, 0).build(), host, ctx);

        assertThat(status.reason()).contains("free 0 MiB");
    }
}
