package io.hvfabric.scheduler.placement.plugins.score;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BalanceScoreTest {

    private final BalanceScore score = new BalanceScore();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void equalCpuAndMemoryUtilizationScoresTheMaximum() {
        // 16 × 4 = 64 vCPUs, 64 GiB: after placement 16/64 cpu and 16384/65536 memory
        PlacementRequest request = vsi("a").demand(16, 16_384, 10, 0).build();

        assertThat(score.score(request, host("h1").capacity(16, 65_536, 100, 0).build(), ctx)).isEqualTo(100);
    }

    @Test
    void prefersTheHostWhoseDimensionsStayBalanced() {
        PlacementRequest memoryHeavy = vsi("a").demand(1, 16_384, 10, 0).build();
        var cpuLoaded = host("cpu-loaded").allocated(48, 0, 0, 0).build(); // cpu 49/64, memory 1/4
        var memoryLoaded = host("mem-loaded").allocated(0, 32_768, 0, 0).build(); // cpu 1/64, memory 3/4

        long onCpuLoaded = score.score(memoryHeavy, cpuLoaded, ctx);
        long onMemoryLoaded = score.score(memoryHeavy, memoryLoaded, ctx);

        assertThat(onCpuLoaded).isGreaterThan(onMemoryLoaded);
        assertThat(onMemoryLoaded).isEqualTo(Math.round(100 * (1 - (0.75 - 1.0 / 64))));
    }
}
