package io.hvfabric.scheduler.placement.plugins.score;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SpreadScoreTest {

    private final SpreadScore score = new SpreadScore();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);
    private final io.hvfabric.scheduler.placement.api.PlacementRequest request =
            vsi("a").demand(2, 4_096, 10, 0).build();

    @Test
    void scoresFreeCapacityLeftAfterPlacementAveragedOverCpuAndMemory() {
        // 16 vCPUs × 4 = 64; after placing: cpu 2/64 used, memory 4096/65536 used → 1 - 0.046875 → 95
        assertThat(score.score(request, host("h1").capacity(16, 65_536, 100, 0).build(), ctx)).isEqualTo(95);
    }

    @Test
    void prefersTheEmptierHost() {
        long empty = score.score(request, host("h1").build(), ctx);
        long half = score.score(request, host("h2").allocated(32, 32_768, 0, 0).build(), ctx);

        assertThat(empty).isGreaterThan(half);
    }

    @Test
    void hostFilledByThePlacementScoresZero() {
        var host = host("h1").capacity(1, 4_096, 100, 0).allocated(2, 0, 0, 0).build();

        assertThat(score.score(request, host, ctx)).isZero();
    }
}
